"""Delivery: every message that leaves Teppan goes through one "send at most once" state machine.

Four kinds of rows carry the same delivery columns (app.models.delivery.DeliveryState):
notifications (booking messages, staff alerts, account email), inbox replies (outbound
`Message` rows), newsletter recipients. Each kind plugs in as a `Sender` (engine.py): how to
build the message from its row, the rules that may hold it back, what to do once it is out.
The engine claims rows with a short lease, calls the backend with no transaction open,
records each outcome as soon as it is known, and a sweep takes over claims whose worker died.

- outgoing.py: the message a backend sends (plain values), the error classes, the recorder
- email_smtp.py, sms_twilio.py, instagram_meta.py: the providers; backends.py picks one
- machine.py: the state transitions, each one guarded UPDATE
- engine.py: senders, `deliver()`, `sweep()`, provider reports
- jobs.py: the periodic sweep
"""
