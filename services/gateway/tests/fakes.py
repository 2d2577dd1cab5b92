"""Tokens for tests that replace identity with a fake: the gateway checks a token's
signature itself, so fakes get tokens signed with the tests' TOKEN_SECRET whose session
id names the fake principal; the fake identity (asked per request, as it has no session
feed) reads that name back."""
import datetime as dt

import jwt

from services.contracts.identity import issue_token

TEST_SECRET = "test-secret-" + "x" * 32  # conftest.py's service_config["TOKEN_SECRET"]


def signed(name):
    now = dt.datetime.now(dt.UTC)
    return issue_token(TEST_SECRET, 1, name, now, now + dt.timedelta(hours=1),
                       {"roles": [], "name": name})


def name_of(token):
    try:
        return jwt.decode(token, options={"verify_signature": False}).get("sid")
    except jwt.PyJWTError:
        return None
