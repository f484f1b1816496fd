"""The Mini App (issue 25): a coordinator's calendar, basket editor and figures inside
Telegram. API.md is the contract between the page (static/) and the server (server.py);
auth.py checks Telegram's initData and signs the session token."""
