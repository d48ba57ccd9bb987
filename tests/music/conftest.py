import pytest

from music import Catalog, Recommender


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog.default()


@pytest.fixture(scope="session")
def recommender(catalog) -> Recommender:
    return Recommender(catalog)
