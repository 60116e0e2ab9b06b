from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.alert_object import AlertObject
from ..models.alert_rule import AlertRule
from ..models.alert_severity import AlertSeverity
from ..models.alert_status import AlertStatus
from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.alert_details import AlertDetails





T = TypeVar("T", bound="Alert")



@_attrs_define
class Alert:
    """ An alert (docs/reference.md §8): something Anton noticed that the merchant's team should look
    at — one per rule and subject while unresolved, counting what it keeps noticing.

        Attributes:
            id (str): The id of an alert: `alr_` and 24 base62 characters (time-ordered). A malformed id in a path is a 404;
                in a filter, a 400.
            object_ (AlertObject): What kind of object this is: always `alert`.
            rule (AlertRule): The rule that raised the alert:
                - `api_key_revoked_used`: a revoked or expired API key is still being used (`details.api_key`,
                `details.source_ip`): whoever holds it may not be you — find where it is deployed or leaked.
                - `api_key_from_browser`: a secret API key was sent from a browser and refused; it is flagged as possibly
                exposed: roll it.
                - `api_key_new_address`: an API key was used from an address it had never been used from (`details.source_ip`):
                expected after a deployment, a compromise signal otherwise.
                - `auth_failures_spike`: many requests with revoked or expired keys were refused with 401
                (`details.count_in_window`).
                - `server_errors`: Anton answered one of your requests with a 5xx (`details.request_id`): retry with the same
                Idempotency-Key; the operator is alerted too.
                - `webhook_endpoint_failing`: deliveries to a webhook endpoint are failing (`details.url`,
                `details.failing_since`): Anton retries for three days, then disables it.
                - `webhook_endpoint_disabled`: Anton disabled a webhook endpoint (it answered 410, or failed for 5 days): enable
                it again, then recover what it missed.
                - `unusual_payout_activity`: a payout risk rule whose action is `alert` fired (`subject`: the rule;
                `details.payout`, `details.explanation`, `details.api_key`): the payout went ahead — check it was yours, and
                tighten the rule's action if not (docs/risk.md).
            severity (AlertSeverity): `critical`: a key may be compromised — act now. `warning`: something is failing.
                `info`: worth a look.
            status (AlertStatus): `open`: raised and not yet handled. `acknowledged`: someone is on it; it keeps counting
                and is still resolved when its condition clears. `resolved`: its condition cleared (`resolved_by` is `anton`) or
                it was resolved through the API; if the condition comes back, a new alert is raised.
            subject (str): The key, `key@address`, or endpoint the alert is about; empty for the account as a
                whole.
            details (AlertDetails): What was noticed, by rule: the key and address of the latest request, the addresses
                seen,
                the endpoint's URL… Never a key, a secret or bank details.
            count (int): How many times the rule noticed it while the alert was unresolved.
            first_seen (datetime.datetime): A time in RFC 3339, UTC, to the second (`2026-11-28T12:00:00Z`).
            last_seen (datetime.datetime): A time in RFC 3339, UTC, to the second (`2026-11-28T12:00:00Z`).
            created (datetime.datetime): A time in RFC 3339, UTC, to the second (`2026-11-28T12:00:00Z`).
            livemode (bool): `true` in live mode, `false` in test mode.
            acknowledged (datetime.datetime | None | Unset): When it was acknowledged, or `null`.
            acknowledged_by (None | str | Unset): The API key that acknowledged it, or `null`.
            resolved (datetime.datetime | None | Unset): When it was resolved, or `null`.
            resolved_by (None | str | Unset): `anton` when its condition cleared, else the API key that resolved it; `null`
                while
                unresolved.
     """

    id: str
    object_: AlertObject
    rule: AlertRule
    severity: AlertSeverity
    status: AlertStatus
    subject: str
    details: AlertDetails
    count: int
    first_seen: datetime.datetime
    last_seen: datetime.datetime
    created: datetime.datetime
    livemode: bool
    acknowledged: datetime.datetime | None | Unset = UNSET
    acknowledged_by: None | str | Unset = UNSET
    resolved: datetime.datetime | None | Unset = UNSET
    resolved_by: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.alert_details import AlertDetails # noqa: PLC0415
        id = self.id

        object_ = self.object_.value

        rule = self.rule.value

        severity = self.severity.value

        status = self.status.value

        subject = self.subject

        details = self.details.to_dict()

        count = self.count

        first_seen = self.first_seen.isoformat()

        last_seen = self.last_seen.isoformat()

        created = self.created.isoformat()

        livemode = self.livemode

        acknowledged: None | str | Unset
        if isinstance(self.acknowledged, Unset):
            acknowledged = UNSET
        elif isinstance(self.acknowledged, datetime.datetime):
            acknowledged = self.acknowledged.isoformat()
        else:
            acknowledged = self.acknowledged

        acknowledged_by: None | str | Unset
        if isinstance(self.acknowledged_by, Unset):
            acknowledged_by = UNSET
        else:
            acknowledged_by = self.acknowledged_by

        resolved: None | str | Unset
        if isinstance(self.resolved, Unset):
            resolved = UNSET
        elif isinstance(self.resolved, datetime.datetime):
            resolved = self.resolved.isoformat()
        else:
            resolved = self.resolved

        resolved_by: None | str | Unset
        if isinstance(self.resolved_by, Unset):
            resolved_by = UNSET
        else:
            resolved_by = self.resolved_by


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "object": object_,
            "rule": rule,
            "severity": severity,
            "status": status,
            "subject": subject,
            "details": details,
            "count": count,
            "first_seen": first_seen,
            "last_seen": last_seen,
            "created": created,
            "livemode": livemode,
        })
        if acknowledged is not UNSET:
            field_dict["acknowledged"] = acknowledged
        if acknowledged_by is not UNSET:
            field_dict["acknowledged_by"] = acknowledged_by
        if resolved is not UNSET:
            field_dict["resolved"] = resolved
        if resolved_by is not UNSET:
            field_dict["resolved_by"] = resolved_by

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.alert_details import AlertDetails # noqa: PLC0415
        d = dict(src_dict)
        id = d.pop("id")

        object_ = AlertObject(d.pop("object"))




        rule = AlertRule(d.pop("rule"))




        severity = AlertSeverity(d.pop("severity"))




        status = AlertStatus(d.pop("status"))




        subject = d.pop("subject")

        details = AlertDetails.from_dict(d.pop("details"))




        count = d.pop("count")

        first_seen = datetime.datetime.fromisoformat(d.pop("first_seen"))




        last_seen = datetime.datetime.fromisoformat(d.pop("last_seen"))




        created = datetime.datetime.fromisoformat(d.pop("created"))




        livemode = d.pop("livemode")

        def _parse_acknowledged(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                acknowledged_type_1 = datetime.datetime.fromisoformat(data)



                return acknowledged_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        acknowledged = _parse_acknowledged(d.pop("acknowledged", UNSET))


        def _parse_acknowledged_by(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        acknowledged_by = _parse_acknowledged_by(d.pop("acknowledged_by", UNSET))


        def _parse_resolved(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                resolved_type_1 = datetime.datetime.fromisoformat(data)



                return resolved_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        resolved = _parse_resolved(d.pop("resolved", UNSET))


        def _parse_resolved_by(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        resolved_by = _parse_resolved_by(d.pop("resolved_by", UNSET))


        alert = cls(
            id=id,
            object_=object_,
            rule=rule,
            severity=severity,
            status=status,
            subject=subject,
            details=details,
            count=count,
            first_seen=first_seen,
            last_seen=last_seen,
            created=created,
            livemode=livemode,
            acknowledged=acknowledged,
            acknowledged_by=acknowledged_by,
            resolved=resolved,
            resolved_by=resolved_by,
        )


        alert.additional_properties = d
        return alert

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
