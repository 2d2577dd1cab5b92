"""What the webhooks service accepts over RPC: the contract's schemas
(``services/contracts/events.py``), which the gateway documents too."""
from services.contracts.events import (  # noqa: F401
    DeliveryQuery,
    Redeliver,
    Replay,
    RotateSecret,
    SubscriptionCreate,
    SubscriptionQuery,
)
