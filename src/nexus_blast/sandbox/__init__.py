"""The sandbox: a fake WAHA server that answers as a real one does (see shared/waha/real-2026.2.1).

app.py (plumbing, session routes), messages.py (pairing and message routes), state.py (sessions,
messages), faults.py (what can go wrong), webhooks.py (deliveries), control.py (`/_sandbox/`),
replies.py (WAHA's error bodies), server.py (`SandboxServer`, uvicorn in a thread for tests).
The WAHA client in `nexus_blast.waha` never imports from here.
"""
