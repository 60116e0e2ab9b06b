from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.currency import Currency
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.metadata import Metadata





T = TypeVar("T", bound="PayoutCreate")



@_attrs_define
class PayoutCreate:
    """ A new payout: an amount, in the currency of the recipient's bank account.

        Attributes:
            amount (int): An amount in the currency's minor unit (cents, pence): a positive integer, at most 10000000000000
                (`amount_too_small`, `amount_too_large`). Never a float.
            currency (Currency): A supported currency: an upper-case ISO 4217 code. An upper-case code Anton does not
                support is refused with `currency_not_supported`; anything else with `currency_invalid`. Amounts are integers of
                the currency's minor unit (cents, pence): all three have two decimal places.
            recipient (str): The id of a recipient: `rcp_` and 24 base62 characters (time-ordered). A malformed id in a path
                is a 404; in a filter, a 400.
            description (None | str | Unset): Your description of the payout: at most 500 characters, no control,
                bidirectional-formatting or zero-width characters; `null` for none.
            metadata (Metadata | Unset): Your own key-value pairs, stored and returned as sent: at most 50 pairs, keys of 1
                to 40 characters, string values of at most 500 characters (`metadata_invalid` otherwise). Keys refuse control,
                bidirectional-formatting and zero-width characters, values only control characters
                (`parameter_invalid_characters`). Never put secrets or full account numbers here.
     """

    amount: int
    currency: Currency
    recipient: str
    description: None | str | Unset = UNSET
    metadata: Metadata | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.metadata import Metadata # noqa: PLC0415
        amount = self.amount

        currency = self.currency.value

        recipient = self.recipient

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "amount": amount,
            "currency": currency,
            "recipient": recipient,
        })
        if description is not UNSET:
            field_dict["description"] = description
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.metadata import Metadata # noqa: PLC0415
        d = dict(src_dict)
        amount = d.pop("amount")

        currency = Currency(d.pop("currency"))




        recipient = d.pop("recipient")

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))


        _metadata = d.pop("metadata", UNSET)
        metadata: Metadata | Unset
        if isinstance(_metadata,  Unset):
            metadata = UNSET
        else:
            metadata = Metadata.from_dict(_metadata)




        payout_create = cls(
            amount=amount,
            currency=currency,
            recipient=recipient,
            description=description,
            metadata=metadata,
        )

        return payout_create

