from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.failing_code import FailingCode
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="TestPayoutFailure")



@_attrs_define
class TestPayoutFailure:
    """ The body of the `fail` test helper (optional).

        Attributes:
            failure_code (FailingCode | None | Unset): Why the payout fails: any failure code but `account_frozen` (a
                return's code, refused
                with `parameter_invalid`). Default `declined`.
     """

    failure_code: FailingCode | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        failure_code: None | str | Unset
        if isinstance(self.failure_code, Unset):
            failure_code = UNSET
        elif isinstance(self.failure_code, FailingCode):
            failure_code = self.failure_code.value
        else:
            failure_code = self.failure_code


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if failure_code is not UNSET:
            field_dict["failure_code"] = failure_code

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_failure_code(data: object) -> FailingCode | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                failure_code_type_1 = FailingCode(data)



                return failure_code_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(FailingCode | None | Unset, data)

        failure_code = _parse_failure_code(d.pop("failure_code", UNSET))


        test_payout_failure = cls(
            failure_code=failure_code,
        )

        return test_payout_failure

