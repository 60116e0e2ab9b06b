from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.enabled_events_type_0_item import EnabledEventsType0Item
from ..models.event_type_name import EventTypeName
from ..models.signature_scheme import SignatureScheme
from ..models.webhook_endpoint_object import WebhookEndpointObject
from ..models.webhook_endpoint_status import WebhookEndpointStatus
from ..types import UNSET, Unset
from typing import cast
import datetime






T = TypeVar("T", bound="WebhookEndpoint")



@_attrs_define
class WebhookEndpoint:
    """ A webhook endpoint: a URL Anton posts signed events to, and the event types it subscribes to
    (docs/reference.md §5).

        Attributes:
            id (str): The id of a webhook endpoint: `we_` and 24 base62 characters (time-ordered). A malformed id in a path
                is a 404; in a filter, a 400.
            object_ (WebhookEndpointObject): What kind of object this is: always `webhook_endpoint`.
            url (str): Where events are posted: an absolute `https://` URL (`http://` is accepted in test mode
                only), at most 2048 characters, allowed by the SSRF guard.
            enabled_events (list[EnabledEventsType0Item] | list[EventTypeName]): The event types an endpoint subscribes to:
                `["*"]` alone for every type, present and future, or a list of 1 to 17 event types. Anything else is refused
                with `enabled_events_invalid`.
            status (WebhookEndpointStatus): `enabled`: the endpoint receives deliveries. `disabled`: it receives none (set
                by the merchant, or by Anton after a `410 Gone` answer or 5 days of failures); set it back to `enabled`, then
                recover what it missed.
            signature_scheme (SignatureScheme): How deliveries to the endpoint are signed. `hmac_sha256` (default): with a
                shared secret (`whsec_…`, shown once), in `Anton-Signature` and Standard Webhooks `webhook-signature` (`v1,`).
                `ed25519`: with an Ed25519 key pair whose private key never leaves Anton; the endpoint shows its public key
                (`whpk_…`) and deliveries carry Standard Webhooks `v1a,` signatures and no `Anton-Signature`. Fixed at creation.
            created (datetime.datetime): A time in RFC 3339, UTC, to the second (`2026-11-28T12:00:00Z`).
            livemode (bool): `true` in live mode, `false` in test mode.
            description (None | str | Unset): Your description of the endpoint (at most 500 characters), or `null`.
            secret (None | str | Unset): The signing secret (`whsec_` and the base64 of 32 random bytes). Present only in
                the
                response that created it — endpoint creation or `rotate_secret` — and absent from every
                other response, event and replay (a replay shows `null`); `null` for an `ed25519`
                endpoint, whose private key never leaves Anton. Keep it secret.
            public_key (None | str | Unset): For `ed25519` endpoints, the public key to verify deliveries with (`whpk_` and
                the
                base64 of 32 bytes; not secret); `null` for `hmac_sha256`.
     """

    id: str
    object_: WebhookEndpointObject
    url: str
    enabled_events: list[EnabledEventsType0Item] | list[EventTypeName]
    status: WebhookEndpointStatus
    signature_scheme: SignatureScheme
    created: datetime.datetime
    livemode: bool
    description: None | str | Unset = UNSET
    secret: None | str | Unset = UNSET
    public_key: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        id = self.id

        object_ = self.object_.value

        url = self.url

        enabled_events: list[str]
        if isinstance(self.enabled_events, list):
            enabled_events = []
            for componentsschemas_enabled_events_type_0_item_data in self.enabled_events:
                componentsschemas_enabled_events_type_0_item = componentsschemas_enabled_events_type_0_item_data.value
                enabled_events.append(componentsschemas_enabled_events_type_0_item)


        else:
            enabled_events = []
            for componentsschemas_enabled_events_type_1_item_data in self.enabled_events:
                componentsschemas_enabled_events_type_1_item = componentsschemas_enabled_events_type_1_item_data.value
                enabled_events.append(componentsschemas_enabled_events_type_1_item)




        status = self.status.value

        signature_scheme = self.signature_scheme.value

        created = self.created.isoformat()

        livemode = self.livemode

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        secret: None | str | Unset
        if isinstance(self.secret, Unset):
            secret = UNSET
        else:
            secret = self.secret

        public_key: None | str | Unset
        if isinstance(self.public_key, Unset):
            public_key = UNSET
        else:
            public_key = self.public_key


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "object": object_,
            "url": url,
            "enabled_events": enabled_events,
            "status": status,
            "signature_scheme": signature_scheme,
            "created": created,
            "livemode": livemode,
        })
        if description is not UNSET:
            field_dict["description"] = description
        if secret is not UNSET:
            field_dict["secret"] = secret
        if public_key is not UNSET:
            field_dict["public_key"] = public_key

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        object_ = WebhookEndpointObject(d.pop("object"))




        url = d.pop("url")

        def _parse_enabled_events(data: object) -> list[EnabledEventsType0Item] | list[EventTypeName]:
            try:
                if not isinstance(data, list):
                    raise TypeError()
                componentsschemas_enabled_events_type_0 = []
                _componentsschemas_enabled_events_type_0 = data
                for componentsschemas_enabled_events_type_0_item_data in (_componentsschemas_enabled_events_type_0):
                    componentsschemas_enabled_events_type_0_item = EnabledEventsType0Item(componentsschemas_enabled_events_type_0_item_data)



                    componentsschemas_enabled_events_type_0.append(componentsschemas_enabled_events_type_0_item)

                return componentsschemas_enabled_events_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, list):
                raise TypeError()
            componentsschemas_enabled_events_type_1 = []
            _componentsschemas_enabled_events_type_1 = data
            for componentsschemas_enabled_events_type_1_item_data in (_componentsschemas_enabled_events_type_1):
                componentsschemas_enabled_events_type_1_item = EventTypeName(componentsschemas_enabled_events_type_1_item_data)



                componentsschemas_enabled_events_type_1.append(componentsschemas_enabled_events_type_1_item)

            return componentsschemas_enabled_events_type_1

        enabled_events = _parse_enabled_events(d.pop("enabled_events"))


        status = WebhookEndpointStatus(d.pop("status"))




        signature_scheme = SignatureScheme(d.pop("signature_scheme"))




        created = datetime.datetime.fromisoformat(d.pop("created"))




        livemode = d.pop("livemode")

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))


        def _parse_secret(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        secret = _parse_secret(d.pop("secret", UNSET))


        def _parse_public_key(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        public_key = _parse_public_key(d.pop("public_key", UNSET))


        webhook_endpoint = cls(
            id=id,
            object_=object_,
            url=url,
            enabled_events=enabled_events,
            status=status,
            signature_scheme=signature_scheme,
            created=created,
            livemode=livemode,
            description=description,
            secret=secret,
            public_key=public_key,
        )


        webhook_endpoint.additional_properties = d
        return webhook_endpoint

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
