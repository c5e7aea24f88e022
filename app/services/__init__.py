"""Plain functions over a SQLAlchemy ``Session`` that the GUI, the CLI and the tests share.

The caller owns the unit of work: services add, change and flush, but never commit.
"""
