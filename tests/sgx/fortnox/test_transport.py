"""Pure parts of a REST call: URLs, query strings, ``lastmodified``, list pages."""

from __future__ import annotations

import datetime as dt

import pytest

from sgx.fortnox.schemas import CustomerListItem
from sgx.fortnox.transport import (
    format_last_modified,
    page_params,
    query_params,
    read_page,
    resource_url,
)


def test_resource_url_joins_base_version_and_segments() -> None:
    url = resource_url("https://api.fortnox.se/", "invoices", 18, "credit")
    assert url == "https://api.fortnox.se/3/invoices/18/credit"


def test_resource_url_escapes_numbers_that_contain_slashes_and_spaces() -> None:
    assert (
        resource_url("http://f.test", "customers", "K 1/2") == "http://f.test/3/customers/K%201%2F2"
    )


def test_query_leaves_out_parameters_not_given() -> None:
    params = query_params({"name": None, "email": "a@b.se", "page": 2})
    assert params == {"email": "a@b.se", "page": "2"}


def test_dates_are_sent_as_iso_dates() -> None:
    assert query_params({"date": dt.date(2025, 3, 1)}) == {"date": "2025-03-01"}


def test_last_modified_is_sent_in_swedish_local_time_to_the_minute() -> None:
    moment = dt.datetime(2025, 7, 1, 10, 30, 59, tzinfo=dt.UTC)
    assert format_last_modified(moment) == "2025-07-01 12:30"
    assert query_params({"lastmodified": moment}) == {"lastmodified": "2025-07-01 12:30"}


def test_last_modified_in_winter_is_one_hour_ahead_of_utc() -> None:
    moment = dt.datetime(2025, 1, 15, 23, 5, tzinfo=dt.UTC)
    assert format_last_modified(moment) == "2025-01-16 00:05"


def test_last_modified_accepts_a_plain_date() -> None:
    assert format_last_modified(dt.date(2021, 6, 1)) == "2021-06-01"


@pytest.mark.parametrize(("page", "limit"), [(0, 10), (1, 0), (1, 501)])
def test_page_and_limit_outside_fortnox_bounds_are_refused(page: int, limit: int) -> None:
    with pytest.raises(ValueError):
        page_params(page, limit)


def test_a_list_page_reads_meta_information() -> None:
    data = {
        "MetaInformation": {"@TotalResources": 5, "@TotalPages": 3, "@CurrentPage": 2},
        "Customers": [{"CustomerNumber": "3", "Name": "C"}, {"CustomerNumber": "4", "Name": "D"}],
    }
    page = read_page(data, "Customers", CustomerListItem)
    assert [c.customer_number for c in page.items] == ["3", "4"]
    assert (page.current_page, page.total_pages, page.total_resources) == (2, 3, 5)
    assert page.has_next


def test_an_empty_list_has_no_next_page() -> None:
    data = {
        "MetaInformation": {"@TotalResources": 0, "@TotalPages": 0, "@CurrentPage": 1},
        "Customers": [],
    }
    page = read_page(data, "Customers", CustomerListItem)
    assert page.items == [] and not page.has_next
