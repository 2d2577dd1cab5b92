"""Password hashing with argon2id (argon2-cffi's RFC 9106 low-memory profile).

Hashing is deliberately slow CPU work; under eventlet it runs in a native thread
(``eventlet.tpool``; argon2-cffi releases the GIL) so other workers keep running.
"""
import secrets
import string

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher(type=Type.ID)
_dummy_hash = None


def configure(time_cost=None, memory_kib=None, parallelism=None):
    """Set the argon2id cost (defaults: argon2-cffi's RFC 9106 low-memory profile,
    t=3, m=64 MiB, p=4). Existing hashes keep verifying; they are re-hashed with the
    current cost at the next successful login."""
    global _hasher, _dummy_hash
    default = PasswordHasher(type=Type.ID)
    _hasher = PasswordHasher(
        time_cost=time_cost or default.time_cost,
        memory_cost=memory_kib or default.memory_cost,
        parallelism=parallelism or default.parallelism,
        type=Type.ID,
    )
    _dummy_hash = None


def _offload(fn, *args):
    try:
        from eventlet import patcher, tpool
        if patcher.is_monkey_patched("thread"):
            return tpool.execute(fn, *args)
    except ImportError:  # pragma: no cover - eventlet is always installed here
        pass
    return fn(*args)


def hash_password(password):
    return _offload(_hasher.hash, password)


def verify_password(password_hash, password):
    """Whether ``password`` matches; never raises for a wrong password or a bad hash."""
    try:
        return _offload(_hasher.verify, password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    return _hasher.check_needs_rehash(password_hash)


def burn_time(password):
    """Verify against a dummy hash, so that an unknown user takes as long as a known one."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = hash_password(secrets.token_urlsafe(16))
    verify_password(_dummy_hash, password)


def temporary_password():
    """A random password meeting the policy (upper, lower, digits and a symbol)."""
    alphabet = string.ascii_letters + string.digits
    core = "".join(secrets.choice(alphabet) for _ in range(9))
    return (secrets.choice(string.ascii_uppercase) + secrets.choice(string.ascii_lowercase)
            + secrets.choice(string.digits) + core + secrets.choice("@#%&*!"))
