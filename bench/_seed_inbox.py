"""Leads and inbox conversations for the bench station, generated inside PostgreSQL.

150,000 leads (every stage; scores 0-100; a few merged away) and 167,000 conversations
(four channels; a fifth open, some escalated, a third of the open ones waiting for a
reply) over the last two years: the leads board, the lead list and the inbox see tables
of the size the issue names. Rows come from generate_series (a few seconds); the
conversations carry no messages (the inbox list reads only the conversations table).
"""

from __future__ import annotations

LEADS_SQL = """
INSERT INTO leads (station_id, name, email, phone, source, stage, message, first_touch, last_touch,
                   score, score_reasons, temperature, lost_reason, created_at, updated_at, stage_changed_at,
                   merged_into_id)
SELECT %(station)s,
       (ARRAY['Maria Garcia','James Smith','Linh Nguyen','Aisha Khan','Carlos Diaz','Emma Brown'])[1 + g %% 6]
           || ' ' || g,
       'lead' || g || '@bench.example',
       NULL,
       (ARRAY['quote_request','contact_form','chat','phone','instagram'])[1 + (g * 7) %% 5],
       (ARRAY['new','contacted','quoted','won','lost','nurturing','lost','won'])[1 + (g * 13) %% 8],
       'Party of ' || (8 + g %% 30) || ' guests, backyard hibachi',
       '{}', '{}',
       (g * 37) %% 101, '[]',
       (ARRAY['hot','warm','cold'])[1 + (g * 11) %% 3],
       '',
       %(now)s - (g %% 730) * interval '1 day' - (g %% 1440) * interval '1 minute',
       %(now)s - (g %% 700) * interval '1 day',
       %(now)s - (g %% 700) * interval '1 day',
       NULL
FROM generate_series(1, %(count)s) AS g
"""

CONVERSATIONS_SQL = """
INSERT INTO conversations (station_id, channel, contact, contact_name, subject, status, unread, escalated,
                           intent, last_inbound_at, answered_at, last_message_at, last_preview,
                           created_at, updated_at)
SELECT %(station)s, channel, contact, name, '', status, CASE WHEN waiting THEN 1 ELSE 0 END,
       status = 'open' AND g %% 97 = 0, 'booking',
       last_at, CASE WHEN waiting THEN last_at - interval '1 day' ELSE last_at + interval '20 minutes' END,
       last_at + CASE WHEN waiting THEN interval '0' ELSE interval '20 minutes' END,
       'Hi, do you have a chef free on the 14th?', last_at - interval '1 hour', last_at
FROM (
    SELECT g,
           (ARRAY['sms','instagram','email','webchat'])[1 + g %% 4] AS channel,
           'contact' || g || '@bench.example' AS contact,
           (ARRAY['Maria Garcia','James Smith','Linh Nguyen','Aisha Khan'])[1 + g %% 4] || ' ' || g AS name,
           CASE WHEN g %% 5 = 0 THEN 'open' ELSE 'closed' END AS status,
           g %% 5 = 0 AND g %% 3 = 0 AS waiting,
           %(now)s - (g %% 730) * interval '1 day' - (g %% 1440) * interval '1 minute' AS last_at
    FROM generate_series(1, %(count)s) AS g
) AS rows
"""


def seed_leads_and_conversations(cur, station_id: int, now, *, leads: int, conversations: int) -> None:
    cur.execute(LEADS_SQL, {"station": station_id, "now": now, "count": leads})
    cur.execute(CONVERSATIONS_SQL, {"station": station_id, "now": now, "count": conversations})
