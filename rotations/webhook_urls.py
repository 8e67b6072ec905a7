"""Where the rotations' webhooks may be sent: the rules live on the ground floor
(``opencraft_ops/webhook_targets.py``), shared with the notifications' chat webhooks."""

from opencraft_ops.webhook_targets import (
    RefusedTarget,
    address_problem,
    pinned_post,
    send_problem,
    url_problem,
)

__all__ = ["RefusedTarget", "address_problem", "pinned_post", "send_problem", "url_problem"]
