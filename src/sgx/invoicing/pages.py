"""HTML pages of invoicing."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
