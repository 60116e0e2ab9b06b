from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.payout_review_status import PayoutReviewStatus
from ..models.risk_rule_name import RiskRuleName
from ..types import UNSET, Unset
from typing import cast
import datetime






T = TypeVar("T", bound="PayoutReview")



@_attrs_define
class PayoutReview:
    """ The review of a payout a risk rule held (docs/risk.md).

        Attributes:
            status (PayoutReviewStatus): `pending` (waiting for a decision), `approved`, `rejected`, or `expired` (not
                decided within the deployment's review time: rejected by Anton).
            rules (list[RiskRuleName]): The rules whose action was `review`.
            requested (datetime.datetime): A time in RFC 3339, UTC, to the second (`2026-11-28T12:00:00Z`).
            expires (datetime.datetime): A time in RFC 3339, UTC, to the second (`2026-11-28T12:00:00Z`).
            requested_by (None | str | Unset): The API key that created the payout: it may not approve it (four-eyes).
            decided_by (None | str | Unset): Who approved or rejected it: an API key's id (`key_…`), or a portal member's
                (`mbr_…`);
                `null` while pending, and when it expired.
            decided (datetime.datetime | None | Unset): When it was decided (or expired).
            reason (None | str | Unset): Why, as the reviewer wrote it (at most 500 characters), or `expired`.
     """

    status: PayoutReviewStatus
    rules: list[RiskRuleName]
    requested: datetime.datetime
    expires: datetime.datetime
    requested_by: None | str | Unset = UNSET
    decided_by: None | str | Unset = UNSET
    decided: datetime.datetime | None | Unset = UNSET
    reason: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        status = self.status.value

        rules = []
        for rules_item_data in self.rules:
            rules_item = rules_item_data.value
            rules.append(rules_item)



        requested = self.requested.isoformat()

        expires = self.expires.isoformat()

        requested_by: None | str | Unset
        if isinstance(self.requested_by, Unset):
            requested_by = UNSET
        else:
            requested_by = self.requested_by

        decided_by: None | str | Unset
        if isinstance(self.decided_by, Unset):
            decided_by = UNSET
        else:
            decided_by = self.decided_by

        decided: None | str | Unset
        if isinstance(self.decided, Unset):
            decided = UNSET
        elif isinstance(self.decided, datetime.datetime):
            decided = self.decided.isoformat()
        else:
            decided = self.decided

        reason: None | str | Unset
        if isinstance(self.reason, Unset):
            reason = UNSET
        else:
            reason = self.reason


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "status": status,
            "rules": rules,
            "requested": requested,
            "expires": expires,
        })
        if requested_by is not UNSET:
            field_dict["requested_by"] = requested_by
        if decided_by is not UNSET:
            field_dict["decided_by"] = decided_by
        if decided is not UNSET:
            field_dict["decided"] = decided
        if reason is not UNSET:
            field_dict["reason"] = reason

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        status = PayoutReviewStatus(d.pop("status"))




        rules = []
        _rules = d.pop("rules")
        for rules_item_data in (_rules):
            rules_item = RiskRuleName(rules_item_data)



            rules.append(rules_item)


        requested = datetime.datetime.fromisoformat(d.pop("requested"))




        expires = datetime.datetime.fromisoformat(d.pop("expires"))




        def _parse_requested_by(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        requested_by = _parse_requested_by(d.pop("requested_by", UNSET))


        def _parse_decided_by(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        decided_by = _parse_decided_by(d.pop("decided_by", UNSET))


        def _parse_decided(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                decided_type_1 = datetime.datetime.fromisoformat(data)



                return decided_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        decided = _parse_decided(d.pop("decided", UNSET))


        def _parse_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reason = _parse_reason(d.pop("reason", UNSET))


        payout_review = cls(
            status=status,
            rules=rules,
            requested=requested,
            expires=expires,
            requested_by=requested_by,
            decided_by=decided_by,
            decided=decided,
            reason=reason,
        )


        payout_review.additional_properties = d
        return payout_review

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
