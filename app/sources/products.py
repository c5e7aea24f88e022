"""Products from any source: a Shopify store's catalog or a CSV/JSON file."""

from app.sources.catalog import Product, parse_price, split_tags
from app.sources.product_files import load_products_file
from app.sources.shopify import fetch_shopify_products, product_from_shopify

__all__ = [
    "Product",
    "fetch_shopify_products",
    "load_products_file",
    "parse_price",
    "product_from_shopify",
    "split_tags",
]
