"""Password hashing with argon2id at OWASP's recommended parameters.

Hashing is deliberately slow CPU work; under eventlet it runs in a native thread
(``eventlet.tpool``; argon2-cffi releases the GIL) so other workers keep running.
"""
import secrets
import string

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# OWASP Password Storage Cheat Sheet, argon2id: m=19 MiB, t=2, p=1 (about a tenth of the
# CPU and a third of the memory of argon2-cffi's default RFC 9106 low-memory profile,
# t=3, m=64 MiB, p=4, which hashes made before this default still carry).
DEFAULT_TIME_COST = 2
DEFAULT_MEMORY_KIB = 19 * 1024
DEFAULT_PARALLELISM = 1


def _make_hasher(time_cost=None, memory_kib=None, parallelism=None):
    return PasswordHasher(time_cost=time_cost or DEFAULT_TIME_COST,
                          memory_cost=memory_kib or DEFAULT_MEMORY_KIB,
                          parallelism=parallelism or DEFAULT_PARALLELISM, type=Type.ID)


_hasher = _make_hasher()
_dummy_hash = None


def configure(time_cost=None, memory_kib=None, parallelism=None):
    """Set the argon2id cost (each unset one: OWASP's t=2, m=19 MiB, p=1). Existing
    hashes, whatever their parameters, keep verifying (they carry them); they are
    re-hashed with the current cost at the next successful login (``needs_rehash``)."""
    global _hasher, _dummy_hash
    _hasher = _make_hasher(time_cost, memory_kib, parallelism)
    _dummy_hash = None


def current_parameters():
    """``(time_cost, memory_kib, parallelism)`` of new hashes."""
    return _hasher.time_cost, _hasher.memory_cost, _hasher.parallelism


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
    """Whether a (verified) hash was made with other parameters than the current ones."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True


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
