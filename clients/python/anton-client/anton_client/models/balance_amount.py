from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.currency import Currency






T = TypeVar("T", bound="BalanceAmount")



@_attrs_define
class BalanceAmount:
    """ An amount of one currency in one ledger account.

        Attributes:
            currency (Currency): A supported currency: an upper-case ISO 4217 code. An upper-case code Anton does not
                support is refused with `currency_not_supported`; anything else with `currency_invalid`. Amounts are integers of
                the currency's minor unit (cents, pence): all three have two decimal places.
            amount (int): The amount, in the currency's minor unit (never negative).
     """

    currency: Currency
    amount: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        currency = self.currency.value

        amount = self.amount


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "currency": currency,
            "amount": amount,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        currency = Currency(d.pop("currency"))




        amount = d.pop("amount")

        balance_amount = cls(
            currency=currency,
            amount=amount,
        )


        balance_amount.additional_properties = d
        return balance_amount

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
