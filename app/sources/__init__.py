"""Where Copydesk's material comes from: store web pages (brand voice) and product catalogs.

- ``fetch``: bounded, typed fetching of web pages and ``normalise_url``.
- ``extract``: readable text, title and meta tags from HTML.
- ``products``: the ``Product`` record; Shopify catalogs and CSV/JSON files
  (``catalog``, ``shopify`` and ``product_files`` hold the parts).
- ``cache``: ``ProductCache`` (hot memory over ``cached_products``) and ``BrandVoiceCache``.
- ``brand_voice``: ``analyze_brand_voice``, the brand-voice-analyzer agent's one call.
- ``errors``: ``SourceError`` and its subclasses, each with a message a person can act on.
"""
