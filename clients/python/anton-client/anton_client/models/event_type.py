from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.event_type_data_object import EventTypeDataObject
from ..models.event_type_name import EventTypeName
from ..models.event_type_object import EventTypeObject






T = TypeVar("T", bound="EventType")



@_attrs_define
class EventType:
    """ An event type of the catalogue: what it means and what its events carry.

        Attributes:
            object_ (EventTypeObject): What kind of object this is: always `event_type`.
            type_ (EventTypeName): An event type: what an event's `type` says happened, what an endpoint's `enabled_events`
                subscribes to and what `GET /v1/events?type=` filters by. (`webhook_endpoint.test`, sent only by `POST
                /v1/webhook_endpoints/{id}/test`, is not one of them: it is never stored, listed or subscribed to.)
                - `recipient.created`: A recipient was created.
                - `recipient.updated`: A recipient's name, email, bank account or metadata changed (previous_attributes holds
                the old values).
                - `recipient.deleted`: A recipient was deleted.
                - `payout.created`: A payout entered pending: it was created, or approved after a review; its amount is
                reserved.
                - `payout.updated`: A payout's description or metadata changed (previous_attributes holds the old values).
                - `payout.processing`: The rail took the payout (pending → processing).
                - `payout.paid`: The payout reached the recipient's bank (processing → paid).
                - `payout.failed`: The payout failed; its amount is available again (failure_code says why).
                - `payout.canceled`: The payout was canceled, or its review rejected or expired; its amount is available again.
                - `payout.returned`: The bank returned a paid payout; its amount is available again.
                - `payout.review_required`: A risk rule held the payout for review (status requires_review; its amount is
                reserved): approve or reject it (review and risk say why).
                - `webhook_endpoint.disabled`: Anton disabled a webhook endpoint (it answered 410, or failed for 5 days).
                - `alert.raised`: An alert was raised: a rule noticed something to look at (a revoked key in use, a key used
                from a new address, a failing endpoint…).
                - `alert.resolved`: An alert was resolved: its condition cleared, or it was resolved through the API.
                - `delivery.failing`: A webhook delivery keeps failing (raised once, before it is exhausted).
                - `delivery.exhausted`: A webhook delivery failed its last scheduled attempt.
                - `delivery.recovered`: A delivery that was failing succeeded.
            description (str): What happened, for humans.
            data_object (EventTypeDataObject): The kind of object in the event's `data.object`.
            schema (str): Where the schema of this type's events (the payload, `data.object` included) is: a JSON
                pointer into this API's OpenAPI document, e.g.
                `/v1/openapi.json#/components/schemas/PayoutEvent`.
     """

    object_: EventTypeObject
    type_: EventTypeName
    description: str
    data_object: EventTypeDataObject
    schema: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        object_ = self.object_.value

        type_ = self.type_.value

        description = self.description

        data_object = self.data_object.value

        schema = self.schema


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "object": object_,
            "type": type_,
            "description": description,
            "data_object": data_object,
            "schema": schema,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        object_ = EventTypeObject(d.pop("object"))




        type_ = EventTypeName(d.pop("type"))




        description = d.pop("description")

        data_object = EventTypeDataObject(d.pop("data_object"))




        schema = d.pop("schema")

        event_type = cls(
            object_=object_,
            type_=type_,
            description=description,
            data_object=data_object,
            schema=schema,
        )


        event_type.additional_properties = d
        return event_type

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
