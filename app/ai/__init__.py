"""Message classification: intent, emotion, language and escalation for the inbox.

Two classifiers behind one interface (`app.ai.classifier.Classifier`): OpenAI structured
output when OPENAI_API_KEY is set, else the offline model trained on data/ai/train.jsonl
plus staff corrections. `app.ai.classifier.get_classifier(config)` picks one. The
deterministic escalation rules (`app.ai.escalation`) are applied on top of both.
No Flask blueprint: the CLI is `app.ai.cli.register(app)`.
"""
