from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.event_type_name import EventTypeName
from ..models.webhook_delivery_object import WebhookDeliveryObject
from ..models.webhook_delivery_status import WebhookDeliveryStatus
from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.webhook_attempt import WebhookAttempt





T = TypeVar("T", bound="WebhookDelivery")



@_attrs_define
class WebhookDelivery:
    """ A webhook delivery: one event sent to one endpoint, retried on a schedule until it succeeds
    or the schedule runs out, with the log of its attempts (docs/reference.md §5.2).

        Attributes:
            id (str): The id of a webhook delivery: `del_` and 24 base62 characters (time-ordered). A malformed id in a path
                is a 404; in a filter, a 400.
            object_ (WebhookDeliveryObject): What kind of object this is: always `webhook_delivery`.
            endpoint (str): The id of a webhook endpoint: `we_` and 24 base62 characters (time-ordered). A malformed id in a
                path is a 404; in a filter, a 400.
            event (str): The id of an event: `evt_` and 24 base62 characters (time-ordered). A malformed id in a path is a
                404; in a filter, a 400.
            event_type (EventTypeName): An event type: what an event's `type` says happened, what an endpoint's
                `enabled_events` subscribes to and what `GET /v1/events?type=` filters by. (`webhook_endpoint.test`, sent only
                by `POST /v1/webhook_endpoints/{id}/test`, is not one of them: it is never stored, listed or subscribed to.)
                - `recipient.created`: A recipient was created.
                - `recipient.updated`: A recipient's name, email, bank account or metadata changed (previous_attributes holds
                the old values).
                - `recipient.deleted`: A recipient was deleted.
                - `payout.created`: A payout entered pending: it was created, or approved after a review; its amount is
                reserved.
                - `payout.updated`: A payout's description or metadata changed (previous_attributes holds the old values).
                - `payout.processing`: The rail took the payout (pending → processing).
                - `payout.paid`: The payout reached the recipient's bank (processing → paid).
                - `payout.failed`: The payout failed; its amount is available again (failure_code says why).
                - `payout.canceled`: The payout was canceled, or its review rejected or expired; its amount is available again.
                - `payout.returned`: The bank returned a paid payout; its amount is available again.
                - `payout.review_required`: A risk rule held the payout for review (status requires_review; its amount is
                reserved): approve or reject it (review and risk say why).
                - `webhook_endpoint.disabled`: Anton disabled a webhook endpoint (it answered 410, or failed for 5 days).
                - `alert.raised`: An alert was raised: a rule noticed something to look at (a revoked key in use, a key used
                from a new address, a failing endpoint…).
                - `alert.resolved`: An alert was resolved: its condition cleared, or it was resolved through the API.
                - `delivery.failing`: A webhook delivery keeps failing (raised once, before it is exhausted).
                - `delivery.exhausted`: A webhook delivery failed its last scheduled attempt.
                - `delivery.recovered`: A delivery that was failing succeeded.
            status (WebhookDeliveryStatus): `pending`: not attempted yet. `retrying`: an attempt failed and another is
                scheduled (`next_attempt`). `succeeded`: an attempt got a 2xx. `exhausted`: the retry schedule ran out, or the
                endpoint answered `410 Gone`. `canceled`: the endpoint was deleted before the delivery succeeded.
            attempts (int): How many attempts were made so far (at most nine with the default schedule).
            created (datetime.datetime): A time in RFC 3339, UTC, to the second (`2026-11-28T12:00:00Z`).
            attempt_log (list[WebhookAttempt]): The attempts made, oldest first (empty in the answer to a resend).
            livemode (bool): `true` in live mode, `false` in test mode.
            next_attempt (datetime.datetime | None | Unset): When the next attempt is scheduled, or `null` when none is.
     """

    id: str
    object_: WebhookDeliveryObject
    endpoint: str
    event: str
    event_type: EventTypeName
    status: WebhookDeliveryStatus
    attempts: int
    created: datetime.datetime
    attempt_log: list[WebhookAttempt]
    livemode: bool
    next_attempt: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.webhook_attempt import WebhookAttempt # noqa: PLC0415
        id = self.id

        object_ = self.object_.value

        endpoint = self.endpoint

        event = self.event

        event_type = self.event_type.value

        status = self.status.value

        attempts = self.attempts

        created = self.created.isoformat()

        attempt_log = []
        for attempt_log_item_data in self.attempt_log:
            attempt_log_item = attempt_log_item_data.to_dict()
            attempt_log.append(attempt_log_item)



        livemode = self.livemode

        next_attempt: None | str | Unset
        if isinstance(self.next_attempt, Unset):
            next_attempt = UNSET
        elif isinstance(self.next_attempt, datetime.datetime):
            next_attempt = self.next_attempt.isoformat()
        else:
            next_attempt = self.next_attempt


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "object": object_,
            "endpoint": endpoint,
            "event": event,
            "event_type": event_type,
            "status": status,
            "attempts": attempts,
            "created": created,
            "attempt_log": attempt_log,
            "livemode": livemode,
        })
        if next_attempt is not UNSET:
            field_dict["next_attempt"] = next_attempt

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.webhook_attempt import WebhookAttempt # noqa: PLC0415
        d = dict(src_dict)
        id = d.pop("id")

        object_ = WebhookDeliveryObject(d.pop("object"))




        endpoint = d.pop("endpoint")

        event = d.pop("event")

        event_type = EventTypeName(d.pop("event_type"))




        status = WebhookDeliveryStatus(d.pop("status"))




        attempts = d.pop("attempts")

        created = datetime.datetime.fromisoformat(d.pop("created"))




        attempt_log = []
        _attempt_log = d.pop("attempt_log")
        for attempt_log_item_data in (_attempt_log):
            attempt_log_item = WebhookAttempt.from_dict(attempt_log_item_data)



            attempt_log.append(attempt_log_item)


        livemode = d.pop("livemode")

        def _parse_next_attempt(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_attempt_type_1 = datetime.datetime.fromisoformat(data)



                return next_attempt_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        next_attempt = _parse_next_attempt(d.pop("next_attempt", UNSET))


        webhook_delivery = cls(
            id=id,
            object_=object_,
            endpoint=endpoint,
            event=event,
            event_type=event_type,
            status=status,
            attempts=attempts,
            created=created,
            attempt_log=attempt_log,
            livemode=livemode,
            next_attempt=next_attempt,
        )


        webhook_delivery.additional_properties = d
        return webhook_delivery

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
