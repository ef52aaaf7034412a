"""`/3/customers`: numbering, no deduplication, searches, paging, sorting, updates, errors."""

from __future__ import annotations

import httpx

from fortnox_sandbox.backend import SandboxBackend
from tests.fortnox_sandbox.rest_builders import create_customer, error_of


async def test_new_customer_gets_fortnox_defaults_and_next_number(
    fortnox: httpx.AsyncClient,
) -> None:
    response = await fortnox.post("/3/customers", json={"Customer": {"Name": "A value"}})

    assert response.status_code == 201
    customer = response.json()["Customer"]
    assert customer["CustomerNumber"] == "1"
    assert customer["Active"] is True
    assert (customer["Currency"], customer["Type"], customer["VATType"]) == (
        "SEK",
        "COMPANY",
        "SEVAT",
    )
    assert customer["PriceList"] == "A"
    assert customer["Email"] == ""
    assert customer["Address1"] is None
    assert customer["@url"] == "http://fortnox.test/3/customers/1"


async def test_identical_customers_are_not_deduplicated(fortnox: httpx.AsyncClient) -> None:
    first = await create_customer(fortnox, OrganisationNumber="556677-8899")
    second = await create_customer(fortnox, OrganisationNumber="556677-8899")

    assert first["CustomerNumber"] != second["CustomerNumber"]
    listed = (await fortnox.get("/3/customers")).json()
    assert listed["MetaInformation"]["@TotalResources"] == 2


async def test_caller_set_customer_number_is_kept(fortnox: httpx.AsyncClient) -> None:
    customer = await create_customer(fortnox, CustomerNumber="K-100")

    assert customer["CustomerNumber"] == "K-100"
    assert (await fortnox.get("/3/customers/K-100")).status_code == 200


async def test_customer_number_in_use_is_refused_with_2000637(fortnox: httpx.AsyncClient) -> None:
    await create_customer(fortnox, CustomerNumber="7")

    response = await fortnox.post(
        "/3/customers", json={"Customer": {"Name": "Other", "CustomerNumber": "7"}}
    )

    assert error_of(response) == (400, 2000637)


async def test_number_of_a_deleted_customer_is_never_used_again(
    fortnox: httpx.AsyncClient,
) -> None:
    await create_customer(fortnox, CustomerNumber="7")
    assert (await fortnox.delete("/3/customers/7")).status_code == 204

    reused = await fortnox.post(
        "/3/customers", json={"Customer": {"Name": "Other", "CustomerNumber": "7"}}
    )
    automatic = await create_customer(fortnox)

    assert error_of(reused) == (400, 2000637)
    assert automatic["CustomerNumber"] == "8"


async def test_unknown_customer_is_404_2000433_with_capitalised_keys(
    fortnox: httpx.AsyncClient,
) -> None:
    response = await fortnox.get("/3/customers/999")

    assert response.status_code == 404
    assert response.json() == {
        "ErrorInformation": {"Error": 1, "Message": "Kan inte hitta kunden.", "Code": 2000433}
    }


async def test_search_is_a_case_insensitive_substring_match(fortnox: httpx.AsyncClient) -> None:
    await create_customer(fortnox, Name="Tandläkarna i Ås AB")
    await create_customer(fortnox, Name="Ås Tandvård")
    await create_customer(fortnox, Name="Bilverkstaden")

    found = (await fortnox.get("/3/customers", params={"name": "tand"})).json()

    assert sorted(c["Name"] for c in found["Customers"]) == ["Tandläkarna i Ås AB", "Ås Tandvård"]


async def test_organisation_number_search_is_substring_so_callers_must_compare_exactly(
    fortnox: httpx.AsyncClient,
) -> None:
    await create_customer(fortnox, OrganisationNumber="556677-8899")
    await create_customer(fortnox, OrganisationNumber="556677-8898")

    found = (await fortnox.get("/3/customers", params={"organisationnumber": "556677-889"})).json()

    assert len(found["Customers"]) == 2


async def test_email_search_and_list_item_shape(fortnox: httpx.AsyncClient) -> None:
    await create_customer(fortnox, Email="Ekonomi@Foretaget.se", Phone1="08-123 45")
    await create_customer(fortnox, Email="info@annat.se")

    found = (await fortnox.get("/3/customers", params={"email": "foretaget"})).json()

    assert len(found["Customers"]) == 1
    item = found["Customers"][0]
    assert item["Phone"] == "08-123 45"  # the list says Phone, the customer Phone1
    assert "Phone1" not in item
    assert set(item) == {
        "@url",
        "Address1",
        "Address2",
        "City",
        "CustomerNumber",
        "Email",
        "Name",
        "OrganisationNumber",
        "Phone",
        "ZipCode",
    }


async def test_searches_combine_with_and(fortnox: httpx.AsyncClient) -> None:
    await create_customer(fortnox, Name="Ås Tandvård", City="Ås")
    await create_customer(fortnox, Name="Ås Tandvård", City="Lund")

    found = (await fortnox.get("/3/customers", params={"name": "tandvård", "city": "lund"})).json()

    assert [c["City"] for c in found["Customers"]] == ["Lund"]


async def test_paging_reports_pages_and_serves_the_asked_page(fortnox: httpx.AsyncClient) -> None:
    for _ in range(5):
        await create_customer(fortnox)

    page = (await fortnox.get("/3/customers", params={"limit": 2, "page": 3})).json()

    assert page["MetaInformation"] == {
        "@TotalResources": 5,
        "@TotalPages": 3,
        "@CurrentPage": 3,
    }
    assert [c["CustomerNumber"] for c in page["Customers"]] == ["5"]


async def test_offset_skips_matches_before_paging(fortnox: httpx.AsyncClient) -> None:
    for _ in range(4):
        await create_customer(fortnox)

    page = (await fortnox.get("/3/customers", params={"offset": 1, "limit": 2})).json()

    assert [c["CustomerNumber"] for c in page["Customers"]] == ["2", "3"]


async def test_limit_above_500_is_refused(fortnox: httpx.AsyncClient) -> None:
    response = await fortnox.get("/3/customers", params={"limit": 501})

    assert error_of(response) == (400, 2000588)


async def test_limit_500_is_accepted(fortnox: httpx.AsyncClient) -> None:
    response = await fortnox.get("/3/customers", params={"limit": 500})

    assert response.status_code == 200


async def test_empty_result_has_zero_pages_and_current_page_one(
    fortnox: httpx.AsyncClient,
) -> None:
    found = (await fortnox.get("/3/customers", params={"name": "finns inte"})).json()

    assert found == {
        "MetaInformation": {"@TotalResources": 0, "@TotalPages": 0, "@CurrentPage": 1},
        "Customers": [],
    }


async def test_default_order_is_by_number_numerically(fortnox: httpx.AsyncClient) -> None:
    await create_customer(fortnox, CustomerNumber="10")
    await create_customer(fortnox, CustomerNumber="9")

    listed = (await fortnox.get("/3/customers")).json()

    assert [c["CustomerNumber"] for c in listed["Customers"]] == ["9", "10"]


async def test_sort_by_name_descending(fortnox: httpx.AsyncClient) -> None:
    for name in ("Beta", "alfa", "Gamma"):
        await create_customer(fortnox, Name=name)

    listed = (
        await fortnox.get("/3/customers", params={"sortby": "name", "sortorder": "descending"})
    ).json()

    assert [c["Name"] for c in listed["Customers"]] == ["Gamma", "Beta", "alfa"]


async def test_lastmodified_lists_customers_changed_since(
    fortnox: httpx.AsyncClient, sandbox_backend: SandboxBackend
) -> None:
    await create_customer(fortnox, Name="Gammal")
    sandbox_backend.clock.advance(1800)
    await create_customer(fortnox, Name="Ny")
    # 10:00 in Stockholm when the test starts, 10:30 after the advance.

    found = (await fortnox.get("/3/customers", params={"lastmodified": "2026-03-10 10:15"})).json()

    assert [c["Name"] for c in found["Customers"]] == ["Ny"]


async def test_update_bumps_lastmodified(
    fortnox: httpx.AsyncClient, sandbox_backend: SandboxBackend
) -> None:
    customer = await create_customer(fortnox, Name="Gammal")
    sandbox_backend.clock.advance(1800)
    await fortnox.put(
        f"/3/customers/{customer['CustomerNumber']}", json={"Customer": {"City": "Ås"}}
    )

    found = (await fortnox.get("/3/customers", params={"lastmodified": "2026-03-10 10:15"})).json()

    assert [c["Name"] for c in found["Customers"]] == ["Gammal"]


async def test_put_changes_only_the_fields_sent(fortnox: httpx.AsyncClient) -> None:
    customer = await create_customer(fortnox, Name="Acme", City="Ås", Email="a@acme.se")

    response = await fortnox.put(
        f"/3/customers/{customer['CustomerNumber']}", json={"Customer": {"City": "Lund"}}
    )

    assert response.status_code == 200
    updated = response.json()["Customer"]
    assert (updated["Name"], updated["City"], updated["Email"]) == ("Acme", "Lund", "a@acme.se")


async def test_customer_number_cannot_be_changed(fortnox: httpx.AsyncClient) -> None:
    customer = await create_customer(fortnox)

    response = await fortnox.put(
        f"/3/customers/{customer['CustomerNumber']}",
        json={"Customer": {"CustomerNumber": "99"}},
    )

    assert error_of(response) == (400, 2000588)


async def test_country_is_derived_from_country_code(fortnox: httpx.AsyncClient) -> None:
    customer = await create_customer(fortnox, CountryCode="SE")

    assert customer["Country"] == "Sverige"


async def test_unknown_field_is_2001399_with_lower_case_keys(fortnox: httpx.AsyncClient) -> None:
    response = await fortnox.post("/3/customers", json={"Customer": {"Name": "A", "Foo": "x"}})

    assert response.status_code == 400
    assert response.json() == {
        "ErrorInformation": {"error": 1, "message": "Felaktigt fältnamn", "code": 2001399}
    }


async def test_read_only_field_is_refused_like_an_unknown_one(fortnox: httpx.AsyncClient) -> None:
    for field, value in (("@url", "http://x/3/customers/1"), ("Country", "Sverige")):
        response = await fortnox.post(
            "/3/customers", json={"Customer": {"Name": "A", field: value}}
        )

        assert error_of(response) == (400, 2001399)


async def test_value_longer_than_max_length_is_2000107(fortnox: httpx.AsyncClient) -> None:
    response = await fortnox.post(
        "/3/customers", json={"Customer": {"Name": "A", "ZipCode": "12345678901"}}
    )

    assert error_of(response) == (400, 2000107)


async def test_value_outside_enum_is_refused(fortnox: httpx.AsyncClient) -> None:
    response = await fortnox.post(
        "/3/customers", json={"Customer": {"Name": "A", "Type": "PERSON"}}
    )

    assert error_of(response) == (400, 2000588)


async def test_private_customer_type_is_accepted(fortnox: httpx.AsyncClient) -> None:
    customer = await create_customer(fortnox, Type="PRIVATE")

    assert customer["Type"] == "PRIVATE"


async def test_name_is_required(fortnox: httpx.AsyncClient) -> None:
    response = await fortnox.post("/3/customers", json={"Customer": {"City": "Ås"}})

    assert error_of(response) == (400, 2000588)


async def test_empty_body_is_2001392(fortnox: httpx.AsyncClient) -> None:
    response = await fortnox.post(
        "/3/customers", content=b"", headers={"Content-Type": "application/json"}
    )

    assert error_of(response) == (400, 2001392)


async def test_body_without_the_wrapper_is_2001392(fortnox: httpx.AsyncClient) -> None:
    response = await fortnox.post("/3/customers", json={"Name": "A"})

    assert error_of(response) == (400, 2001392)


async def test_broken_json_is_2002115(fortnox: httpx.AsyncClient) -> None:
    response = await fortnox.post(
        "/3/customers",
        content=b'{"Customer": {"Name": ',
        headers={"Content-Type": "application/json"},
    )

    assert error_of(response) == (400, 2002115)


async def test_boolean_field_with_a_non_boolean_is_2000134(fortnox: httpx.AsyncClient) -> None:
    response = await fortnox.post(
        "/3/customers", json={"Customer": {"Name": "A", "Active": "kanske"}}
    )

    assert error_of(response) == (400, 2000134)


async def test_invalid_email_is_refused(fortnox: httpx.AsyncClient) -> None:
    response = await fortnox.post(
        "/3/customers", json={"Customer": {"Name": "A", "Email": "inte-en-adress"}}
    )

    assert error_of(response) == (400, 2000588)


async def test_delete_answers_204_and_the_customer_is_gone(fortnox: httpx.AsyncClient) -> None:
    customer = await create_customer(fortnox)

    response = await fortnox.delete(f"/3/customers/{customer['CustomerNumber']}")

    assert response.status_code == 204
    assert response.content == b""
    gone = await fortnox.get(f"/3/customers/{customer['CustomerNumber']}")
    assert error_of(gone) == (404, 2000433)


async def test_filter_inactive_lists_only_inactive_customers(fortnox: httpx.AsyncClient) -> None:
    await create_customer(fortnox, Name="Aktiv")
    await create_customer(fortnox, Name="Vilande", Active=False)

    found = (await fortnox.get("/3/customers", params={"filter": "inactive"})).json()

    assert [c["Name"] for c in found["Customers"]] == ["Vilande"]


async def test_trailing_slash_is_tolerated(fortnox: httpx.AsyncClient) -> None:
    await create_customer(fortnox)

    response = await fortnox.get("/3/customers/")

    assert response.status_code == 200
    assert response.json()["MetaInformation"]["@TotalResources"] == 1


async def test_urls_in_bodies_use_php_escaped_slashes(fortnox: httpx.AsyncClient) -> None:
    customer = await create_customer(fortnox)

    raw = (await fortnox.get(f"/3/customers/{customer['CustomerNumber']}")).text

    assert '"@url": "http:\\/\\/fortnox.test\\/3\\/customers\\/1"' in raw


async def test_body_that_is_not_json_by_content_type_is_1000031(
    fortnox: httpx.AsyncClient,
) -> None:
    response = await fortnox.post(
        "/3/customers",
        content=b"<Customer><Name>A</Name></Customer>",
        headers={"Content-Type": "application/xml"},
    )

    assert error_of(response) == (400, 1000031)


async def test_page_beyond_the_last_is_empty(fortnox: httpx.AsyncClient) -> None:
    await create_customer(fortnox)

    page = (await fortnox.get("/3/customers", params={"page": 3})).json()

    assert page["Customers"] == []
    assert page["MetaInformation"]["@CurrentPage"] == 3
