"""Commands for Milestone's program staff: partners' preview links and the eligibility report.

``preview-link`` prints a signed, expiring link to a partner's own preview (``--example``: the
first listed partner's, which ``make run`` shows to try previews on the sample); ``preview-revoke``
invalidates every link issued to a partner so far; ``eligibility-report`` writes the CSV of
every group's tier and what it lacks for the next one. All three connect as the indexer (the user
that writes the revocations and may read the eligibility index); the CLI assembles them.
"""
from __future__ import annotations

import io
import sys
from pathlib import Path

import click
from elasticsearch import BadRequestError, Elasticsearch, NotFoundError

from locator.core import preview_tokens
from locator.core.errors import UserFacingError
from locator.core.es import connect
from locator.core.mapping import REVOCATION_MAPPING, eligibility_alias, revocations_index
from locator.core.settings import LOCAL_PUBLIC_URL, MAX_LINK_DAYS, Settings


def _country_option(ctx, param, value: str | None) -> str | None:
    if value is None:
        return None
    scope = value if value == "unknown" else value.upper()
    if not preview_tokens.is_country_scope(scope):
        raise click.BadParameter("must be an ISO 3166-1 alpha-2 country code such as DK (or 'unknown')")
    return scope


def _partner_argument(ctx, param, value: str | None) -> str | None:
    if value is not None and not preview_tokens.is_partner_id(value):
        raise click.BadParameter("must be 1-64 characters of A-Z, a-z, 0-9, '.', '_', '-'")
    return value


def _secret(settings: Settings) -> str:
    if not settings.preview.secret:
        raise UserFacingError(f"previews are off: set {preview_tokens.SECRET_SETTING} (at least 32 characters, "
                              "the same for the app that serves the previews)")
    return settings.preview.secret


def _groups_of(es: Elasticsearch, prefix: str, partner_id: str, country: str | None) -> int:
    filters = [{"term": {"partner_id": partner_id}}] + ([{"term": {"country": country}}] if country else [])
    try:
        return es.count(index=eligibility_alias(prefix), query={"bool": {"filter": filters}})["count"]
    except NotFoundError:
        raise UserFacingError("no eligibility data yet: run `partner-locator index` first") from None


def _listed_example(es: Elasticsearch, prefix: str, country: str | None) -> str:
    """The first partner (by id) listed in the live data, in ``country`` when given."""
    filters = [{"term": {"listed": True}}] + ([{"term": {"country": country}}] if country else [])
    try:
        hits = es.search(index=eligibility_alias(prefix), size=1, query={"bool": {"filter": filters}},
                         sort=[{"partner_id": "asc"}, {"country": "asc"}], source=["partner_id"])["hits"]["hits"]
    except NotFoundError:
        raise UserFacingError("no eligibility data yet: run `partner-locator index` first") from None
    if not hits:
        raise UserFacingError(f"no partner is listed{f' in {country}' if country else ''} in the live data: no link issued")
    return hits[0]["_source"]["partner_id"]


@click.command("preview-link")
@click.argument("partner_id", required=False, callback=_partner_argument)
@click.option("--example", is_flag=True, help="instead of PARTNER_ID: the first listed partner of the live data (to try previews)")
@click.option("--country", callback=_country_option, help="show only this country (ISO code) [default: every country]")
@click.option("--days", type=click.IntRange(1, MAX_LINK_DAYS), help="valid this many days [default: 30, from settings]")
@click.pass_obj
def preview_link_command(settings: Settings, partner_id: str | None, example: bool, country: str | None,
                         days: int | None) -> None:
    """Print a signed link to PARTNER_ID's own preview: its listing, checklist and rejected records."""
    if example == (partner_id is not None):
        raise click.UsageError("give either PARTNER_ID or --example")
    secret = _secret(settings)
    es = connect(settings, "indexer")
    if example:
        partner_id = _listed_example(es, settings.index_prefix, country)
        click.echo(f"example: partner {partner_id}, listed in the live data", err=True)
    elif not _groups_of(es, settings.index_prefix, partner_id, country):
        where = f" in {country}" if country else ""
        raise UserFacingError(f"partner {partner_id} has no eligibility document{where} in the live data: no link issued")
    token = preview_tokens.issue(secret, partner_id, country, days or settings.preview.link_days)
    click.echo(f"{(settings.api.public_url or LOCAL_PUBLIC_URL).rstrip('/')}/preview?token={token}")


def _ensure_revocations(es: Elasticsearch, index: str) -> None:
    if es.indices.exists(index=index):
        return
    try:
        es.indices.create(index=index, mappings=REVOCATION_MAPPING,
                          settings={"number_of_shards": 1, "auto_expand_replicas": "0-1"})
    except BadRequestError as exc:  # made by another command in between
        if exc.error != "resource_already_exists_exception":
            raise


@click.command("preview-revoke")
@click.argument("partner_id", callback=_partner_argument)
@click.pass_obj
def preview_revoke_command(settings: Settings, partner_id: str) -> None:
    """Invalidate every preview link issued to PARTNER_ID before now (new links work again)."""
    es, index = connect(settings, "indexer"), revocations_index(settings.index_prefix)
    _ensure_revocations(es, index)
    not_before = preview_tokens.revocation_time()
    es.index(index=index, id=partner_id, document={"partner_id": partner_id, "not_before": not_before}, refresh=True)
    click.echo(f"every preview link issued to {partner_id} before {not_before} is now refused")


@click.command("eligibility-report")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="CSV file [default: stdout]")
@click.option("--country", callback=_country_option, help="only this country (ISO code)")
@click.option("--next-tier-only", is_flag=True, help="only groups that miss exactly one requirement of the next tier")
@click.pass_obj
def eligibility_report_command(settings: Settings, output: Path | None, country: str | None, next_tier_only: bool) -> None:
    """Write one CSV row per (partner, country): tier, listed, what the next tier still needs."""
    from indexer.eligibility_report import documents, live_eligibility_index, write_report

    es = connect(settings, "indexer")
    index = live_eligibility_index(es, settings.index_prefix)
    if output is not None:
        with output.open("w", encoding="utf-8-sig", newline="") as out:
            count = write_report(documents(es, index, country), out, next_tier_only)
    else:
        sys.stdout.flush()
        out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8-sig", newline="", write_through=True)
        count = write_report(documents(es, index, country), out, next_tier_only)
        out.detach()  # leave stdout open for whoever owns it
    click.echo(f"{count} {'row' if count == 1 else 'rows'}" + (f" written to {output}" if output else ""), err=True)
