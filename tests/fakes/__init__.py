"""Test doubles: real local servers that stand in for remote services."""
