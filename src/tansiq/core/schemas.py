"""Shapes shared by every API: the bilingual name as it appears in JSON."""

from __future__ import annotations

from pydantic import BaseModel

from tansiq.core.text import BilingualText


class Name(BaseModel):
    ar: str
    en: str

    @classmethod
    def of(cls, text: BilingualText) -> Name:
        return cls(ar=text.ar, en=text.en)

    @classmethod
    def pair(cls, ar: str, en: str) -> Name:
        return cls(ar=ar, en=en)
