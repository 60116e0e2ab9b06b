from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.currency import Currency
from ..models.risk_action import RiskAction
from ..models.risk_rule_name import RiskRuleName
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="RiskRuleFired")



@_attrs_define
class RiskRuleFired:
    """ A risk rule that fired on a payout, with the figures it compared.

        Attributes:
            rule (RiskRuleName): A risk rule of the catalogue (docs/risk.md). Windows are UTC calendar windows; an outflow
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
            action (RiskAction): What a risk rule does when it fires: `alert` (the payout proceeds; an
                `unusual_payout_activity` alert is raised), `review` (the payout waits in `requires_review`, its amount
                reserved, until a key with `payouts:approve` other than its creator approves or rejects it) or `block` (the
                creation is refused with `risk_blocked`). The strongest action of the rules that fired wins.
            value (int): The figure compared: an amount in minor units (with `currency`) or a count.
            limit (int): The limit it went over, in the same unit.
            explanation (str): The comparison in words, e.g. "sum today 38,000.00 USD > limit 37,000.00 USD".
            currency (Currency | None | Unset): The currency of `value` and `limit` when they are amounts (amount rules and
                `amount_vs_history`); `null` for count rules.
     """

    rule: RiskRuleName
    action: RiskAction
    value: int
    limit: int
    explanation: str
    currency: Currency | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        rule = self.rule.value

        action = self.action.value

        value = self.value

        limit = self.limit

        explanation = self.explanation

        currency: None | str | Unset
        if isinstance(self.currency, Unset):
            currency = UNSET
        elif isinstance(self.currency, Currency):
            currency = self.currency.value
        else:
            currency = self.currency


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "rule": rule,
            "action": action,
            "value": value,
            "limit": limit,
            "explanation": explanation,
        })
        if currency is not UNSET:
            field_dict["currency"] = currency

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        rule = RiskRuleName(d.pop("rule"))




        action = RiskAction(d.pop("action"))




        value = d.pop("value")

        limit = d.pop("limit")

        explanation = d.pop("explanation")

        def _parse_currency(data: object) -> Currency | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                currency_type_1 = Currency(data)



                return currency_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Currency | None | Unset, data)

        currency = _parse_currency(d.pop("currency", UNSET))


        risk_rule_fired = cls(
            rule=rule,
            action=action,
            value=value,
            limit=limit,
            explanation=explanation,
            currency=currency,
        )


        risk_rule_fired.additional_properties = d
        return risk_rule_fired

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
