from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.risk_action import RiskAction
from ..models.risk_rule_name import RiskRuleName
from ..models.risk_rule_object import RiskRuleObject
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.risk_rule_limits_type_0 import RiskRuleLimitsType0





T = TypeVar("T", bound="RiskRule")



@_attrs_define
class RiskRule:
    """ One risk rule of a merchant in one environment (docs/risk.md): its action, limits and
    state — the merchant's own settings, or the defaults.

        Attributes:
            id (RiskRuleName): A risk rule of the catalogue (docs/risk.md). Windows are UTC calendar windows; an outflow
                counts the payouts released to the rail (created into `pending` or approved).
                - `payout_amount`: one payout's amount is above `limits[currency]`.
                - `daily_sum`: the sum released today (UTC), with this payout, is above `limits[currency]`.
                - `daily_count`: the payouts released today (UTC), with this one, are more than `limit`.
                - `hourly_sum`: the sum released in this clock hour (UTC), with this payout, is above `limits[currency]`.
                - `hourly_count`: the payouts released in this clock hour (UTC), with this one, are more than `limit`.
                - `bank_details_changed`: a payout above `limits[currency]` goes to a recipient whose bank details were changed
                within the last 24 hours (the classic account-takeover pattern).
                - `amount_vs_history`: the payout's amount is more than `limit` times the 95th percentile of the merchant's
                payouts in that currency over the last 30 days (judged once those hold 50 payouts; the percentile is refreshed
                hourly).
                - `new_destination`: a payout above `limits[currency]` goes to a bank account the merchant first used (on any
                recipient) within the last 24 hours.
                - `shared_bank_account`: the payout's bank account is shared by more than `limit` of the merchant's recipients.
                - `new_address`: a payout above `limits[currency]` comes from an IP address its API key had not been used from
                before the last 24 hours (a key used from somewhere new).
                - `new_key_burst`: the payouts released by the acting API key within an hour of its creation, with this one, are
                more than `limit` (a burst from a new or rolled key).
            object_ (RiskRuleObject): What kind of object this is: always `risk_rule`.
            description (str): What the rule watches for.
            enabled (bool): Whether the rule is evaluated. A disabled rule is not listed in a payout's
                `risk.evaluated`.
            action (RiskAction): What a risk rule does when it fires: `alert` (the payout proceeds; an
                `unusual_payout_activity` alert is raised), `review` (the payout waits in `requires_review`, its amount
                reserved, until a key with `payouts:approve` other than its creator approves or rejects it) or `block` (the
                creation is refused with `risk_blocked`). The strongest action of the rules that fired wins.
            livemode (bool): `true` in live mode, `false` in test mode: each environment has its own rules.
            limit (int | None | Unset): A count rule's limit (`daily_count`, `hourly_count`, `shared_bank_account`,
                `new_key_burst`), or the multiple of `amount_vs_history`; `null` for amount rules.
            limits (None | RiskRuleLimitsType0 | Unset): An amount rule's limit per currency, in minor units; `null` for
                count rules.
     """

    id: RiskRuleName
    object_: RiskRuleObject
    description: str
    enabled: bool
    action: RiskAction
    livemode: bool
    limit: int | None | Unset = UNSET
    limits: None | RiskRuleLimitsType0 | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.risk_rule_limits_type_0 import RiskRuleLimitsType0 # noqa: PLC0415
        id = self.id.value

        object_ = self.object_.value

        description = self.description

        enabled = self.enabled

        action = self.action.value

        livemode = self.livemode

        limit: int | None | Unset
        if isinstance(self.limit, Unset):
            limit = UNSET
        else:
            limit = self.limit

        limits: dict[str, Any] | None | Unset
        if isinstance(self.limits, Unset):
            limits = UNSET
        elif isinstance(self.limits, RiskRuleLimitsType0):
            limits = self.limits.to_dict()
        else:
            limits = self.limits


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "object": object_,
            "description": description,
            "enabled": enabled,
            "action": action,
            "livemode": livemode,
        })
        if limit is not UNSET:
            field_dict["limit"] = limit
        if limits is not UNSET:
            field_dict["limits"] = limits

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.risk_rule_limits_type_0 import RiskRuleLimitsType0 # noqa: PLC0415
        d = dict(src_dict)
        id = RiskRuleName(d.pop("id"))




        object_ = RiskRuleObject(d.pop("object"))




        description = d.pop("description")

        enabled = d.pop("enabled")

        action = RiskAction(d.pop("action"))




        livemode = d.pop("livemode")

        def _parse_limit(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        limit = _parse_limit(d.pop("limit", UNSET))


        def _parse_limits(data: object) -> None | RiskRuleLimitsType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                limits_type_0 = RiskRuleLimitsType0.from_dict(data)



                return limits_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RiskRuleLimitsType0 | Unset, data)

        limits = _parse_limits(d.pop("limits", UNSET))


        risk_rule = cls(
            id=id,
            object_=object_,
            description=description,
            enabled=enabled,
            action=action,
            livemode=livemode,
            limit=limit,
            limits=limits,
        )


        risk_rule.additional_properties = d
        return risk_rule

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
