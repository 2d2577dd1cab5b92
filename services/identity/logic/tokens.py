"""Bearer tokens: PyJWT (HS256, signed with TOKEN_SECRET) carrying the account and the
server-side session id. A token alone proves nothing: ``authenticate`` also checks the
session, so logout, freezing or deleting an account invalidate it at once."""
import jwt

ALGORITHM = "HS256"
ISSUER = "identity"


def issue(secret, account_id, session_id, issued_at, expires_at):
    claims = {"sub": str(account_id), "sid": session_id, "iss": ISSUER,
              "iat": int(issued_at.timestamp()), "exp": int(expires_at.timestamp())}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read(secret, token):
    """The claims of a valid, unexpired token signed with ``secret``; None otherwise."""
    if not token or not isinstance(token, str) or len(token) > 4096:
        return None
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], issuer=ISSUER,
                            options={"require": ["sub", "sid", "exp", "iat"]})
    except jwt.PyJWTError:
        return None
    if not isinstance(claims.get("sid"), str) or not str(claims.get("sub", "")).isdigit():
        return None
    return claims
