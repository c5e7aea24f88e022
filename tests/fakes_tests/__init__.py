"""Tests of the test doubles in tests/fakes/."""
