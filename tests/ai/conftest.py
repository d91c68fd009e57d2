from tests.ai.fake_openai import _fake_openai_server, fake_ai  # noqa: F401  (fixtures)
