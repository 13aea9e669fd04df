"""The OpenAI composer: Chat Completions with the station's services as tools, checked by the same guard.

Shares the pipeline's first two stages (context.gather: what the message says, the
customer's bookings) and its last (guard.py). The model prices parties (guests,
upgrades, add-ons, travel), checks dates, reads the customer's bookings and searches
the knowledge base only through tools (the same `Grounder` the offline composer uses),
so every figure it may state is on record. The customer's words travel JSON-encoded
inside one user message between markers, never in the system prompt.

When OpenAI is down, slow or rate-limited, or its answer cannot be used, the offline
composer writes the draft within the same job, and the draft says why (`fallback`).

Transactions: compose() is called with nothing to commit (the job commits before and
after). The tools only read; before each network call the drafter ends that read-only
transaction with a rollback, so no connection idles in a transaction while the model
thinks, and the caller's session is never committed from here.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import openai

from app.ai.drafting import DraftResult
from app.ai.drafting.budget import cost_microdollars
from app.ai.drafting.context import DraftContext, finish_grounding
from app.ai.drafting.guard import problems
from app.ai.drafting.offline import compose_offline
from app.ai.drafting.prompts import TOOLS, system_prompt, user_message
from app.extensions import db

log = logging.getLogger(__name__)

MAX_ROUNDS = 4  # tool rounds before the model must have answered
MAX_RETRIES = 1  # the SDK's own retry; the job retries with backoff after that
_TRANSIENT_STATUS = {408, 409, 429}


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def add(self, usage: Any) -> None:
        if usage is not None:
            self.prompt_tokens += usage.prompt_tokens or 0
            self.completion_tokens += usage.completion_tokens or 0


class OpenAIDrafter:
    def __init__(self, config: Mapping[str, Any], client: openai.OpenAI | None = None) -> None:
        self.model = config.get("OPENAI_MODEL") or "gpt-4.1-mini"
        self.prices = (float(config["OPENAI_PRICE_INPUT_PER_MTOK"]), float(config["OPENAI_PRICE_OUTPUT_PER_MTOK"]))
        self.client = client or openai.OpenAI(
            api_key=config["OPENAI_API_KEY"],
            base_url=config.get("OPENAI_BASE_URL") or None,
            timeout=float(config.get("OPENAI_TIMEOUT_SECONDS") or 30),
            max_retries=MAX_RETRIES,
        )

    def compose(self, context: DraftContext) -> DraftResult:
        """A draft written by the model, or the offline one when OpenAI fails or its answer cannot be used."""
        usage = Usage()
        try:
            return self._compose(context, usage)
        except _NotUsable as failure:
            log.warning("OpenAI draft not available (%s); composing offline", failure)
            return self._offline(context, str(failure), usage)

    def _compose(self, context: DraftContext, usage: Usage) -> DraftResult:
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": system_prompt(context)},
            {"role": "user", "content": user_message(context)},
        ]
        text: str | None = None
        reason = f"no final answer after {MAX_ROUNDS} rounds"
        for _ in range(MAX_ROUNDS):
            message = self._complete(messages, usage)
            if message.refusal:
                reason = f"refused: {message.refusal}"
                break
            if not message.tool_calls:
                text = (message.content or "").strip()
                reason = "empty answer"
                break
            messages.append(_assistant_turn(message))
            messages.extend(_tool_results(context, message.tool_calls))
        _adopt_tool_results(context)
        grounding = context.grounding()
        if text:
            held = problems(text, grounding, context.request.inbound_text, context.language)
            if not held:
                return self._result(text, f"openai:{self.model}", {**grounding, "model": self.model}, usage)
            reason = "the OpenAI draft was held: " + "; ".join(held)
        log.info("OpenAI draft not used (%s); composing offline", reason)
        return self._offline(context, reason, usage)

    def _complete(self, messages: list[dict[str, Any]], usage: Usage) -> Any:
        db.session.rollback()  # the tools' reads are done: end that transaction (nothing to commit) before waiting
        try:
            # No temperature: reasoning models reject it, and OPENAI_MODEL may name one.
            response = self.client.chat.completions.create(model=self.model, messages=messages, tools=TOOLS)
        except openai.APITimeoutError as error:
            raise _NotUsable(f"OpenAI timed out ({type(error).__name__})") from error
        except openai.RateLimitError as error:
            raise _NotUsable(f"OpenAI rate limit (429): {error.message}") from error
        except openai.APIConnectionError as error:
            raise _NotUsable(f"OpenAI unreachable ({type(error).__name__})") from error
        except openai.APIStatusError as error:
            if error.status_code >= 500 or error.status_code in _TRANSIENT_STATUS:
                raise _NotUsable(f"OpenAI error {error.status_code}: {error.message}") from error
            # A bad key, a missing model or a rejected request will not pass on retry, yet the
            # manager still needs an answer to send: the offline draft is grounded and useful,
            # and the reason on it (plus this log line) tells ops to fix the configuration.
            log.error("OpenAI rejected the draft request (%s): %s", error.status_code, error.message)
            raise _NotUsable(f"OpenAI rejected the request ({error.status_code}): {error.message}") from error
        usage.add(response.usage)
        return response.choices[0].message

    def _result(self, body: str, generator: str, grounding: dict[str, Any], usage: Usage) -> DraftResult:
        return DraftResult(
            body=body,
            generator=generator,
            grounding=grounding,
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            cost_microdollars=cost_microdollars(usage.prompt_tokens, usage.completion_tokens, *self.prices),
        )

    def _offline(self, context: DraftContext, reason: str, usage: Usage) -> DraftResult:
        """The offline draft, still carrying the tokens already paid for."""
        finish_grounding(context)
        offline = compose_offline(context, fallback=reason)
        return self._result(offline.body, offline.generator, offline.grounding, usage)


class _NotUsable(Exception):
    """OpenAI gave no draft this time (down, slow, rate-limited, or the request was rejected)."""


def _assistant_turn(message: Any) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": message.content,
        "tool_calls": [
            {"id": c.id, "type": "function", "function": {"name": c.function.name, "arguments": c.function.arguments}}
            for c in message.tool_calls
        ],
    }


def _tool_results(context: DraftContext, calls: list[Any]) -> list[dict[str, Any]]:
    return [
        {"role": "tool", "tool_call_id": call.id, "content": json.dumps(_run_tool(context, call), default=str)}
        for call in calls
    ]


def _adopt_tool_results(context: DraftContext) -> None:
    """The quote and availability the model looked up become the draft's recorded quote and availability."""
    for call in context.grounder.calls:
        if call["name"] == "get_quote":
            context.quote = call["result"]
        elif call["name"] == "check_availability":
            context.availability = call["result"]


def _run_tool(context: DraftContext, call: Any) -> dict[str, Any]:
    """Run one tool call on the station's services; bad arguments answer an error the model can read."""
    grounder = context.grounder
    try:
        arguments = json.loads(call.function.arguments or "{}")
        if not isinstance(arguments, dict):
            raise ValueError("arguments must be an object")
        if call.function.name == "get_quote":
            return grounder.get_quote(
                arguments.get("adults"),
                arguments.get("children") or 0,
                arguments.get("zip_code"),
                arguments.get("event_date"),
                toddlers=arguments.get("toddlers") or 0,
                upgrades=arguments.get("upgrades") or {},
                add_ons=arguments.get("add_ons") or {},
            )
        if call.function.name == "check_availability":
            time = arguments.get("time")
            return grounder.check_availability(str(arguments.get("date") or ""), str(time) if time else None)
        if call.function.name == "get_customer_bookings":
            return grounder.customer_bookings(context.bookings)
        if call.function.name == "search_knowledge_base":
            return grounder.search_knowledge_base(str(arguments.get("query") or ""))
    except (ValueError, TypeError) as error:
        return {"error": f"Bad arguments: {error}"}
    return {"error": f"Unknown tool {call.function.name!r}"}
