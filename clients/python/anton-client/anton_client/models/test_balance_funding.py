from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.currency import Currency






T = TypeVar("T", bound="TestBalanceFunding")



@_attrs_define
class TestBalanceFunding:
    """ Money to add to the test balance.

        Attributes:
            amount (int): An amount in the currency's minor unit (cents, pence): a positive integer, at most 10000000000000
                (`amount_too_small`, `amount_too_large`). Never a float.
            currency (Currency): A supported currency: an upper-case ISO 4217 code. An upper-case code Anton does not
                support is refused with `currency_not_supported`; anything else with `currency_invalid`. Amounts are integers of
                the currency's minor unit (cents, pence): all three have two decimal places.
     """

    amount: int
    currency: Currency





    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        currency = self.currency.value


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "amount": amount,
            "currency": currency,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        amount = d.pop("amount")

        currency = Currency(d.pop("currency"))




        test_balance_funding = cls(
            amount=amount,
            currency=currency,
        )

        return test_balance_funding

