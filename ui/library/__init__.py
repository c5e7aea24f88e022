"""The library: every piece, filtered, sorted and searched in the database, paged in lazily."""
