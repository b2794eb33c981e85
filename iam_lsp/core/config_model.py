"""The configuration's schema, validated by pydantic (imported only when there are values to validate).

`Config` (config.py) is a plain class so that runs without configuration skip pydantic's import; this
model says what each field accepts, coerces the values (severity names, policy types, nested ignores) and
words the errors users see ("1 validation error for Config / severity.IAM101 ...").
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from iam_lsp.core.config import DEFAULT_INCLUDE, DEFAULT_MAX_SIZE, Ignore
from iam_lsp.core.findings import Severity
from iam_lsp.core.policytype import PolicyType


class IgnoreModel(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, title="Ignore")
    path: str | None = None
    rules: list[str] = Field(default_factory=list)
    sid: str | None = None


class ConfigModel(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, title="Config")

    select: list[str] = Field(default_factory=list, description="Only these rules (codes, names or code prefixes)")
    enable: list[str] = Field(default_factory=list, description="Also run these rules (e.g. off-by-default ones)")
    disable: list[str] = Field(default_factory=list, description="Never run these rules")
    severity: dict[str, Severity] = Field(default_factory=dict, description="Severity overrides by code or name")
    policy_types: dict[str, PolicyType] = Field(default_factory=dict, alias="policy-types")
    ignores: list[IgnoreModel] = Field(default_factory=list)
    include: list[str] = Field(default_factory=lambda: list(DEFAULT_INCLUDE))
    exclude: list[str] = Field(default_factory=list)
    max_size: int = Field(DEFAULT_MAX_SIZE, alias="max-size")
    options: dict[str, dict[str, Any]] = Field(default_factory=dict, description="Per-rule options")
    root: str | None = Field(None, exclude=True)  # set from where a config file is; accepted, as it always was

    @field_validator("severity", mode="before")
    @classmethod
    def _sev(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {k: Severity.parse(s) if isinstance(s, str) else s for k, s in v.items()}
        return v


def validate(values: dict[str, Any]) -> dict[str, Any]:
    """The fields given in `values` (by name or alias), validated and converted: {field name: value}.

    Raises pydantic.ValidationError, whose message names each bad field.
    """
    model = ConfigModel.model_validate(values)
    out: dict[str, Any] = {}
    for name in model.model_fields_set:
        value = getattr(model, name)
        if name == "ignores":
            value = [Ignore(i.path, list(i.rules), i.sid) for i in value]
        out[name] = value
    return out
