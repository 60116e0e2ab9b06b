from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.audit_action import AuditAction
from ..models.audit_entry_object import AuditEntryObject
from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.audit_actor import AuditActor
  from ..models.audit_entry_after_type_0 import AuditEntryAfterType0
  from ..models.audit_entry_before_type_0 import AuditEntryBeforeType0
  from ..models.audit_resource import AuditResource





T = TypeVar("T", bound="AuditEntry")



@_attrs_define
class AuditEntry:
    """ One entry of the merchant's audit log (docs/reference.md §7): a security-relevant change,
    who made it, from where, and what the object was before and after — never a secret.

        Attributes:
            id (str): The id of an audit entry: `aud_` and 24 base62 characters (time-ordered). A malformed id in a path is
                a 404; in a filter, a 400.
            object_ (AuditEntryObject): What kind of object this is: always `audit_entry`.
            seq (int): The entry's place in the merchant's chain (both environments), from 1 without gaps.
            created (datetime.datetime): A time in RFC 3339, UTC, to the second (`2026-11-28T12:00:00Z`).
            action (AuditAction): What was done:
                - `api_key.created`: an API key was created (rolling one creates its successor).
                - `api_key.rolled`: an API key was replaced; `after.replaced_by` names its successor, `after.expires` when it
                stops working.
                - `api_key.revoked`: an API key was revoked.
                - `api_key.exposed`: an API key was sent from a browser and flagged as possibly exposed.
                - `webhook_endpoint.created`: a webhook endpoint was created.
                - `webhook_endpoint.updated`: a webhook endpoint's URL, events, description or status changed.
                - `webhook_endpoint.deleted`: a webhook endpoint was deleted.
                - `webhook_endpoint.secret_rotated`: a webhook endpoint's signing secret was replaced (never shown here).
                - `merchant.rate_limit_updated`: your API rate limit in this environment changed.
                - `merchant.alert_emails_updated`: the addresses your alerts are emailed to changed.
                - `balance.funded`: money was added to your balance.
                - `payout.canceled`: a payout was canceled.
                - `payout.approved`: a payout held by a risk rule was approved (`after.review` says by whom and why).
                - `payout.rejected`: a payout held by a risk rule was rejected; its amount is available again.
                - `payout.review_expired`: a payout held by a risk rule was not decided in time; Anton rejected it.
                - `risk_rule.updated`: a risk rule's action, limits or state changed.
                - `alert.acknowledged`: an alert was acknowledged.
                - `alert.resolved`: an alert was resolved through the API (Anton's own resolutions are not audited: they follow
                the alert's rule).
                - `member.invited`: someone was invited to the team (`after` holds the email and role; never the link).
                - `member.joined`: an invitation was accepted: the member set a password and enrolled two-factor codes (TOTP and
                recovery codes).
                - `member.login`: a member signed in to the portal (`after.method`: `totp` or `recovery_code`).
                - `member.login_failed`: a sign-in as this member was refused (a wrong password or code; attempts the throttle
                refused are not recorded).
                - `member.role_changed`: a member's role changed (`before` and `after` hold it); their sessions ended.
                - `member.removed`: a member was removed from the team; their sessions ended.
                - `member.invitation_revoked`: an invitation not yet accepted was revoked; its link stopped working (`before`
                holds the email and role).
                - `member.password_changed`: a member changed their password; their other sessions ended.
                - `member.two_factor_changed`: a member changed their two-factor codes (`after.change`: `totp_reenrolled`, a new
                authenticator app, which also ended their other sessions; or `recovery_codes_regenerated`).
            actor (AuditActor): Who made an audited change.
            resource (AuditResource): The object an audited change was made to.
            hash_ (str): SHA-256 (hex) over `previous_hash` and this entry's fields: keep the latest one and a
                later rewrite of the log cannot go unnoticed.
            previous_hash (str): The `hash` of the merchant's entry before this one (64 zeros for the first).
            livemode (bool): `true` in live mode, `false` in test mode.
            source_ip (None | str | Unset): The client's address, for a change made through the API; else `null`.
            request_id (None | str | Unset): The request that made the change (look it up in the request log), or `null`.
            before (AuditEntryBeforeType0 | None | Unset): The object before the change (`null`: it did not exist), as the
                API shows it.
            after (AuditEntryAfterType0 | None | Unset): The object after the change (`null`: it no longer exists), as the
                API shows it.
     """

    id: str
    object_: AuditEntryObject
    seq: int
    created: datetime.datetime
    action: AuditAction
    actor: AuditActor
    resource: AuditResource
    hash_: str
    previous_hash: str
    livemode: bool
    source_ip: None | str | Unset = UNSET
    request_id: None | str | Unset = UNSET
    before: AuditEntryBeforeType0 | None | Unset = UNSET
    after: AuditEntryAfterType0 | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.audit_actor import AuditActor # noqa: PLC0415
        from ..models.audit_entry_after_type_0 import AuditEntryAfterType0 # noqa: PLC0415
        from ..models.audit_entry_before_type_0 import AuditEntryBeforeType0 # noqa: PLC0415
        from ..models.audit_resource import AuditResource # noqa: PLC0415
        id = self.id

        object_ = self.object_.value

        seq = self.seq

        created = self.created.isoformat()

        action = self.action.value

        actor = self.actor.to_dict()

        resource = self.resource.to_dict()

        hash_ = self.hash_

        previous_hash = self.previous_hash

        livemode = self.livemode

        source_ip: None | str | Unset
        if isinstance(self.source_ip, Unset):
            source_ip = UNSET
        else:
            source_ip = self.source_ip

        request_id: None | str | Unset
        if isinstance(self.request_id, Unset):
            request_id = UNSET
        else:
            request_id = self.request_id

        before: dict[str, Any] | None | Unset
        if isinstance(self.before, Unset):
            before = UNSET
        elif isinstance(self.before, AuditEntryBeforeType0):
            before = self.before.to_dict()
        else:
            before = self.before

        after: dict[str, Any] | None | Unset
        if isinstance(self.after, Unset):
            after = UNSET
        elif isinstance(self.after, AuditEntryAfterType0):
            after = self.after.to_dict()
        else:
            after = self.after


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "object": object_,
            "seq": seq,
            "created": created,
            "action": action,
            "actor": actor,
            "resource": resource,
            "hash": hash_,
            "previous_hash": previous_hash,
            "livemode": livemode,
        })
        if source_ip is not UNSET:
            field_dict["source_ip"] = source_ip
        if request_id is not UNSET:
            field_dict["request_id"] = request_id
        if before is not UNSET:
            field_dict["before"] = before
        if after is not UNSET:
            field_dict["after"] = after

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.audit_actor import AuditActor # noqa: PLC0415
        from ..models.audit_entry_after_type_0 import AuditEntryAfterType0 # noqa: PLC0415
        from ..models.audit_entry_before_type_0 import AuditEntryBeforeType0 # noqa: PLC0415
        from ..models.audit_resource import AuditResource # noqa: PLC0415
        d = dict(src_dict)
        id = d.pop("id")

        object_ = AuditEntryObject(d.pop("object"))




        seq = d.pop("seq")

        created = datetime.datetime.fromisoformat(d.pop("created"))




        action = AuditAction(d.pop("action"))




        actor = AuditActor.from_dict(d.pop("actor"))




        resource = AuditResource.from_dict(d.pop("resource"))




        hash_ = d.pop("hash")

        previous_hash = d.pop("previous_hash")

        livemode = d.pop("livemode")

        def _parse_source_ip(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        source_ip = _parse_source_ip(d.pop("source_ip", UNSET))


        def _parse_request_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        request_id = _parse_request_id(d.pop("request_id", UNSET))


        def _parse_before(data: object) -> AuditEntryBeforeType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                before_type_0 = AuditEntryBeforeType0.from_dict(data)



                return before_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AuditEntryBeforeType0 | None | Unset, data)

        before = _parse_before(d.pop("before", UNSET))


        def _parse_after(data: object) -> AuditEntryAfterType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                after_type_0 = AuditEntryAfterType0.from_dict(data)



                return after_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AuditEntryAfterType0 | None | Unset, data)

        after = _parse_after(d.pop("after", UNSET))


        audit_entry = cls(
            id=id,
            object_=object_,
            seq=seq,
            created=created,
            action=action,
            actor=actor,
            resource=resource,
            hash_=hash_,
            previous_hash=previous_hash,
            livemode=livemode,
            source_ip=source_ip,
            request_id=request_id,
            before=before,
            after=after,
        )


        audit_entry.additional_properties = d
        return audit_entry

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
