from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.deleted_recipient_object import DeletedRecipientObject






T = TypeVar("T", bound="DeletedRecipient")



@_attrs_define
class DeletedRecipient:
    """ A deleted recipient.

        Attributes:
            id (str): The id of a recipient: `rcp_` and 24 base62 characters (time-ordered). A malformed id in a path is a
                404; in a filter, a 400.
            object_ (DeletedRecipientObject): What kind of object this is: always `recipient`.
            deleted (bool): Always `true`: the object was deleted.
     """

    id: str
    object_: DeletedRecipientObject
    deleted: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        id = self.id

        object_ = self.object_.value

        deleted = self.deleted


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "object": object_,
            "deleted": deleted,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        object_ = DeletedRecipientObject(d.pop("object"))




        deleted = d.pop("deleted")

        deleted_recipient = cls(
            id=id,
            object_=object_,
            deleted=deleted,
        )


        deleted_recipient.additional_properties = d
        return deleted_recipient

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
