"""The Stripe webhook endpoint. (Reader-facing support pages are built on support.services.)"""

from __future__ import annotations

import json
import logging

import stripe
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from support.webhooks import stripe_event_process

logger = logging.getLogger(__name__)

# Stripe signs the delivery time; an older one is refused as a possible replay.
SIGNATURE_TOLERANCE_SECONDS = 300


@csrf_exempt  # Stripe cannot send a CSRF token; the signature is the check.
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Verify a Stripe event and apply it once.

    400: bad or missing signature, stale timestamp, or a body that is not an event.
    200: applied, ignored (an event type we do not handle, recorded) or a duplicate.
    404: Stripe is not configured. 500 (raised): applying failed; Stripe will deliver again.
    """
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise Http404("Stripe is not configured.")
    payload = request.body
    try:
        stripe.Webhook.construct_event(
            payload,
            request.headers.get("Stripe-Signature"),
            secret,
            tolerance=SIGNATURE_TOLERANCE_SECONDS,
        )
        event = json.loads(payload)
    except stripe.SignatureVerificationError as error:
        logger.warning("Stripe webhook refused: %s", error)
        return JsonResponse({"error": "invalid signature"}, status=400)
    except (ValueError, TypeError, AttributeError):  # not UTF-8, not JSON, not an object
        return JsonResponse({"error": "invalid payload"}, status=400)
    if not (
        isinstance(event, dict)
        and isinstance(event.get("id"), str)
        and isinstance(event.get("type"), str)
        and event["id"]
    ):
        return JsonResponse({"error": "not an event"}, status=400)
    outcome = stripe_event_process(event=event)
    return JsonResponse({"received": True, "outcome": outcome})
