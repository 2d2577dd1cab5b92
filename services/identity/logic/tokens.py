"""Bearer tokens: the format is part of identity's contract (the gateway checks them),
see ``services/contracts/identity.py``. A token carries the account, the server-side
session id and the principal at login; what revokes it travels on the session feed
(logic/feed.py)."""
from services.contracts import identity as contract

ALGORITHM = contract.TOKEN_ALGORITHM
ISSUER = contract.TOKEN_ISSUER
issue = contract.issue_token
read = contract.read_token
principal = contract.token_principal
