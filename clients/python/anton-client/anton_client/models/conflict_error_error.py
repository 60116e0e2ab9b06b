from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.conflict_error_error_code import ConflictErrorErrorCode
from ..models.conflict_error_error_type import ConflictErrorErrorType
from ..types import UNSET, Unset






T = TypeVar("T", bound="ConflictErrorError")



@_attrs_define
class ConflictErrorError:
    """ What went wrong (an `invalid_request_error` or `idempotency_error`).

        Attributes:
            message (Any | Unset): As in `Error`.
            param (Any | Unset): As in `Error`.
            request_id (Any | Unset): As in `Error`.
            type_ (ConflictErrorErrorType | Unset): Always `invalid_request_error` or `idempotency_error` with this status.
            code (ConflictErrorErrorCode | Unset): The codes this status comes with (see the response's description).
     """

    message: Any | Unset = UNSET
    param: Any | Unset = UNSET
    request_id: Any | Unset = UNSET
    type_: ConflictErrorErrorType | Unset = UNSET
    code: ConflictErrorErrorCode | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        message = self.message

        param = self.param

        request_id = self.request_id

        type_: str | Unset = UNSET
        if not isinstance(self.type_, Unset):
            type_ = self.type_.value


        code: str | Unset = UNSET
        if not isinstance(self.code, Unset):
            code = self.code.value



        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
        })
        if message is not UNSET:
            field_dict["message"] = message
        if param is not UNSET:
            field_dict["param"] = param
        if request_id is not UNSET:
            field_dict["request_id"] = request_id
        if type_ is not UNSET:
            field_dict["type"] = type_
        if code is not UNSET:
            field_dict["code"] = code

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        message = d.pop("message", UNSET)

        param = d.pop("param", UNSET)

        request_id = d.pop("request_id", UNSET)

        _type_ = d.pop("type", UNSET)
        type_: ConflictErrorErrorType | Unset
        if isinstance(_type_,  Unset):
            type_ = UNSET
        else:
            type_ = ConflictErrorErrorType(_type_)




        _code = d.pop("code", UNSET)
        code: ConflictErrorErrorCode | Unset
        if isinstance(_code,  Unset):
            code = UNSET
        else:
            code = ConflictErrorErrorCode(_code)




        conflict_error_error = cls(
            message=message,
            param=param,
            request_id=request_id,
            type_=type_,
            code=code,
        )


        conflict_error_error.additional_properties = d
        return conflict_error_error

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
