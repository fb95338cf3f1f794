"""Tests of the content plan (core/content_plan), one module per room."""
