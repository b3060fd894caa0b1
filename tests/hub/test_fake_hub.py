"""The fake Hub answers the real huggingface_hub client the way huggingface.co does."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from huggingface_hub import HfApi, get_session, hf_hub_download
from huggingface_hub.errors import (
    BadRequestError,
    GatedRepoError,
    HfHubHTTPError,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

from catalog.testing.fake_hub import (
    LIST_DEFAULT_FIELDS,
    REFERENCE_CONFIGS,
    FakeHub,
    git_blob_sha,
    object_id,
    synthetic_models,
)

SHA_RE = re.compile(r"^[0-9a-f]{40}$")
ISO_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def api(hub: FakeHub, token: str | bool = False) -> HfApi:
    return HfApi(endpoint=hub.url, token=token)


def get_json(hub: FakeHub, path: str) -> Any:
    response = get_session().get(f"{hub.url}{path}")
    assert response.status_code == 200, response.text
    return response.json()


class TestModelInfo:
    def test_full_shape_parses_in_the_real_client(self, fake_hub: FakeHub) -> None:
        info = api(fake_hub).model_info("meta-llama/Llama-2-7b-hf")
        assert info.sha == "01c7f73d771dfac7d292323805ebc428287df4f9"
        assert info.gated == "manual"
        assert info.last_modified is not None and info.last_modified.tzinfo is not None
        assert info.safetensors is not None and info.safetensors.total == 6738415616
        assert info.card_data is not None and info.card_data.license == "llama2"
        assert "license:llama2" in (info.tags or [])
        assert info.config == {"architectures": ["LlamaForCausalLM"], "model_type": "llama"}
        assert [s.rfilename for s in info.siblings or []] == [
            ".gitattributes",
            "README.md",
            "config.json",
        ]

    def test_raw_json_uses_hub_formats(self, fake_hub: FakeHub) -> None:
        data = get_json(fake_hub, "/api/models/openai-community/gpt2")
        assert isinstance(data, dict)
        assert SHA_RE.match(data["sha"]) and re.fullmatch(r"[0-9a-f]{24}", data["_id"])
        assert data["lastModified"] == "2024-02-19T10:57:45.000Z"
        assert ISO_RE.match(data["createdAt"])
        assert data["gated"] is False and data["modelId"] == "openai-community/gpt2"
        assert data["safetensors"] == {"parameters": {"F32": 137022720}, "total": 137022720}
        assert "hidden_size" not in data["config"] and "n_embd" not in data["config"]

    def test_expand_returns_only_id_and_the_requested_fields(self, fake_hub: FakeHub) -> None:
        info = api(fake_hub).model_info("openai-community/gpt2", expand=["author"])
        assert info.author == "openai-community"
        assert info.downloads is None and info.created_at is None and info.last_modified is None
        data = get_json(fake_hub, "/api/models/openai-community/gpt2?expand[]=gated&expand[]=likes")
        assert isinstance(data, dict) and set(data) == {"_id", "id", "gated", "likes"}

    def test_base_models_only_when_expanded(self, fake_hub: FakeHub) -> None:
        fake_hub.add_model("someone/llama-ft", base_model="meta-llama/Llama-2-7b-hf")
        plain = get_json(fake_hub, "/api/models/someone/llama-ft")
        expanded = get_json(fake_hub, "/api/models/someone/llama-ft?expand=baseModels")
        assert isinstance(plain, dict) and "baseModels" not in plain
        assert plain["cardData"]["base_model"] == "meta-llama/Llama-2-7b-hf"
        assert "base_model:finetune:meta-llama/Llama-2-7b-hf" in plain["tags"]
        assert expanded == {
            "_id": plain["_id"],
            "id": "someone/llama-ft",
            "baseModels": {
                "relation": "finetune",
                "models": [
                    {
                        "id": "meta-llama/Llama-2-7b-hf",
                        "_id": object_id("meta-llama/Llama-2-7b-hf"),
                    }
                ],
            },
        }

    def test_unknown_expand_is_a_400(self, fake_hub: FakeHub) -> None:
        with pytest.raises(BadRequestError):
            api(fake_hub).model_info("openai-community/gpt2", expand=["bogus"])  # type: ignore[list-item]

    def test_unknown_repo_and_revision(self, fake_hub: FakeHub) -> None:
        with pytest.raises(RepositoryNotFoundError):
            api(fake_hub).model_info("nobody/nothing")
        with pytest.raises(RevisionNotFoundError):
            api(fake_hub).model_info("openai-community/gpt2", revision="refs/pr/1")
        assert (
            fake_hub.requests()[-1].path
            == "/api/models/openai-community/gpt2/revision/refs%2Fpr%2F1"
        )

    def test_single_segment_repo_and_revision_route(self, fake_hub: FakeHub) -> None:
        model = fake_hub.add_model("gpt2")
        info = api(fake_hub).model_info("gpt2", revision=model.sha)
        assert info.id == "gpt2" and info.sha == model.sha and info.author is None


class TestListModels:
    def test_default_items_carry_the_light_fields(self, fake_hub: FakeHub) -> None:
        items = get_json(fake_hub, "/api/models?author=openai-community")
        assert isinstance(items, list) and len(items) == 1
        assert tuple(items[0]) == LIST_DEFAULT_FIELDS

    def test_filters(self, fake_hub: FakeHub) -> None:
        client = api(fake_hub)
        assert {m.id for m in client.list_models(search="LLAMA-2")} == {
            "meta-llama/Llama-2-7b-hf",
            "meta-llama/Llama-2-13b-hf",
            "meta-llama/Llama-2-70b-hf",
        }
        assert {m.id for m in client.list_models(author="tiiuae")} == {
            "tiiuae/falcon-7b",
            "tiiuae/falcon-40b",
        }
        assert {m.id for m in client.list_models(gated=True)} == {
            "meta-llama/Llama-2-7b-hf",
            "meta-llama/Llama-2-13b-hf",
            "meta-llama/Llama-2-70b-hf",
        }
        assert {m.id for m in client.list_models(filter=["gpt_neo", "license:mit"])} == {
            "EleutherAI/gpt-neo-125m",
            "EleutherAI/gpt-neo-1.3B",
            "EleutherAI/gpt-neo-2.7B",
        }
        fake_hub.add_model("sentence/encoder", pipeline_tag="feature-extraction")
        assert [m.id for m in client.list_models(pipeline_tag="feature-extraction")] == [
            "sentence/encoder"
        ]

    def test_sort_is_descending(self, fake_hub: FakeHub) -> None:
        models = list(api(fake_hub).list_models(sort="downloads", expand=["downloads"]))
        downloads = [m.downloads or 0 for m in models]
        assert downloads == sorted(downloads, reverse=True) and len(set(downloads)) > 1
        assert fake_hub.requests()[-1].param("sort") == ["downloads"]

    def test_pagination_link_keeps_every_parameter(self, fake_hub: FakeHub) -> None:
        fake_hub.clear_models()
        wanted = [f"org{i}/Llama-ft-{i}" for i in range(5)]
        for repo_id in [*wanted, "org/mistral", "org/falcon"]:
            fake_hub.add_model(repo_id)
        # HfApi uses `limit` as page size *and* total, so page through the raw Link header.
        response = get_session().get(
            f"{fake_hub.url}/api/models",
            params=[("search", "llama"), ("limit", "2"), ("expand", "sha")],
        )
        seen = [m["id"] for m in response.json()]
        while "next" in response.links:
            response = get_session().get(response.links["next"]["url"])
            seen += [m["id"] for m in response.json()]
        assert sorted(seen) == sorted(wanted) and len(wanted) > 2
        later = fake_hub.requests("list")[1]
        assert later.param("search") == ["llama"] and later.param("expand") == ["sha"]
        assert later.param("limit") == ["2"] and len(later.param("cursor")) == 1

    def test_page_size_caps_at_1000_and_counts_requests(self, fake_hub: FakeHub) -> None:
        fake_hub.add_synthetic_models(2500 - len(fake_hub.repo_ids))
        assert sum(1 for _ in api(fake_hub).list_models(expand=["sha"])) == 2500
        assert fake_hub.count("list") == 3
        assert get_session().get(f"{fake_hub.url}/api/models?limit=5000").json().__len__() == 1000

    def test_expand_with_full_is_rejected(self, fake_hub: FakeHub) -> None:
        response = get_session().get(f"{fake_hub.url}/api/models?expand=sha&full=true")
        assert response.status_code == 400
        with pytest.raises(BadRequestError):
            list(api(fake_hub).list_models(expand=["nope"]))  # type: ignore[list-item]

    def test_full_and_config_flags(self, fake_hub: FakeHub) -> None:
        models = list(api(fake_hub).list_models(author="mistralai", full=True, fetch_config=True))
        assert len(models) == 1
        assert models[0].sha == "7231864981174d9bee8c7687c24c8344414eae6b"
        assert models[0].config == {
            "architectures": ["MistralForCausalLM"],
            "model_type": "mistral",
        }


class TestFiles:
    def test_hf_hub_download_lands_in_hf_home(self, fake_hub: FakeHub) -> None:
        cache = Path(os.environ["HF_HOME"]) / "hub"
        path = Path(
            hf_hub_download(
                "openai-community/gpt2",
                "config.json",
                endpoint=fake_hub.url,
                token=False,
                cache_dir=cache,
            )
        )
        assert path.is_relative_to(cache)
        assert path.parent.name == "607a30d783dfa663caf39e06633721c8d4cfcd7e"
        assert json.loads(path.read_text())["n_embd"] == 768
        refs = cache / "models--openai-community--gpt2" / "refs" / "main"
        assert refs.read_text() == "607a30d783dfa663caf39e06633721c8d4cfcd7e"
        assert [(r.method, r.route) for r in fake_hub.requests() if r.route == "resolve"] == [
            ("HEAD", "resolve"),
            ("GET", "resolve"),
        ]

    def test_head_and_get_carry_the_hub_headers(self, fake_hub: FakeHub) -> None:
        url = f"{fake_hub.url}/openai-community/gpt2/resolve/main/config.json"
        head, get = get_session().head(url), get_session().get(url)
        for response in (head, get):
            assert response.headers["X-Repo-Commit"] == "607a30d783dfa663caf39e06633721c8d4cfcd7e"
            assert response.headers["ETag"] == f'"{git_blob_sha(get.content)}"'
            assert int(response.headers["Content-Length"]) == len(get.content)

    def test_gated_files_need_a_granted_token(self, fake_hub: FakeHub, tmp_path: Path) -> None:
        repo = "meta-llama/Llama-2-7b-hf"

        def download(token: str | bool) -> str:
            return hf_hub_download(
                repo, "config.json", endpoint=fake_hub.url, token=token, cache_dir=tmp_path
            )

        with pytest.raises(GatedRepoError):
            download(False)
        with pytest.raises(GatedRepoError):
            download("hf_not_granted")
        assert [r.status for r in fake_hub.requests("resolve")] == [401, 403]
        fake_hub.grant_access(repo, "hf_granted")
        assert json.loads(Path(download("hf_granted")).read_text())["hidden_size"] == 4096

    def test_missing_file_and_missing_repo(self, fake_hub: FakeHub, tmp_path: Path) -> None:
        fake_hub.add_model("org/gguf-only", config=None, library_name="gguf")
        with pytest.raises(RemoteEntryNotFoundError):
            hf_hub_download(
                "org/gguf-only",
                "config.json",
                endpoint=fake_hub.url,
                token=False,
                cache_dir=tmp_path,
            )
        response = get_session().head(f"{fake_hub.url}/org/gguf-only/resolve/main/config.json")
        assert response.headers["X-Error-Code"] == "EntryNotFound"
        assert response.headers["X-Repo-Commit"] == fake_hub.get_model("org/gguf-only").sha
        with pytest.raises(RepositoryNotFoundError):
            hf_hub_download(
                "no/repo", "config.json", endpoint=fake_hub.url, token=False, cache_dir=tmp_path
            )

    def test_agent_harnesses(self, fake_hub: FakeHub) -> None:
        assert get_json(fake_hub, "/api/agent-harnesses") == {
            "standardEnvVars": [],
            "harnesses": {},
        }


class TestStore:
    def test_update_model_makes_a_new_commit(self, fake_hub: FakeHub, tmp_path: Path) -> None:
        before = fake_hub.get_model("EleutherAI/gpt-neo-125m")
        old_sha, old_modified = before.sha, before.last_modified
        fake_hub.update_model("EleutherAI/gpt-neo-125m", license="apache-2.0", downloads=7)
        info = api(fake_hub).model_info("EleutherAI/gpt-neo-125m")
        assert info.sha != old_sha and SHA_RE.match(info.sha or "")
        assert info.last_modified is not None and info.last_modified > old_modified
        assert info.card_data is not None and info.card_data.license == "apache-2.0"
        assert "license:apache-2.0" in (info.tags or []) and info.downloads == 7
        old = hf_hub_download(
            "EleutherAI/gpt-neo-125m",
            "README.md",
            revision=old_sha,
            endpoint=fake_hub.url,
            token=False,
            cache_dir=tmp_path,
        )
        assert "license: mit" in Path(old).read_text()
        with pytest.raises(TypeError):
            fake_hub.update_model("EleutherAI/gpt-neo-125m", colour="blue")

    def test_reference_models_match_the_yaml(self, fake_hub: FakeHub) -> None:
        entries = yaml.safe_load(REFERENCE_CONFIGS.read_text())["models"]
        assert sorted(fake_hub.repo_ids) == sorted(e["repo_id"] for e in entries)
        for entry in entries:
            config = fake_hub.get_model(entry["repo_id"]).config or {}
            assert config["model_type"] == entry["model_type"]
            assert all(config[k] == v for k, v in entry["config"].items())

    def test_private_repos_are_hidden_without_a_grant(self, fake_hub: FakeHub) -> None:
        fake_hub.add_model("org/secret", private=True)
        with pytest.raises(RepositoryNotFoundError):
            api(fake_hub).model_info("org/secret")
        assert [m.id for m in api(fake_hub).list_models(author="org")] == []
        fake_hub.grant_access("org/secret", "hf_owner")
        assert api(fake_hub, token="hf_owner").model_info("org/secret").private is True

    def test_synthetic_models_are_realistic_and_deterministic(self) -> None:
        models = list(synthetic_models(2000, seed=7))
        assert models == list(synthetic_models(2000, seed=7))
        ids = [m["repo_id"] for m in models]
        assert len(set(ids)) == 2000 and all(re.fullmatch(r"[\w.-]+/[\w.-]+", i) for i in ids)
        assert {m["gated"] for m in models if "gated" in m} == {False, "auto", "manual"}
        assert len({m["license"] for m in models}) >= 8
        assert len({m["pipeline_tag"] for m in models}) >= 5
        assert any(m["config"] is None for m in models)  # GGUF repos
        assert any("quantization_config" in (m["config"] or {}) for m in models)
        assert sum(1 for m in models if m.get("base_model")) > 500
        downloads = sorted(m["downloads"] for m in models)
        assert downloads[len(downloads) // 2] * 100 < downloads[-1]  # heavy tail
        assert all(m["created_at"] <= m["last_modified"] for m in models)
        assert all(m["created_at"].tzinfo is dt.UTC for m in models)


class TestFaultsAndLog:
    def test_fault_applies_k_times_to_its_repo_only(self, fake_hub: FakeHub) -> None:
        fault = fake_hub.inject(
            "info", "rate_limit", repo_id="openai-community/gpt2", times=2, retry_after=7
        )
        url = f"{fake_hub.url}/api/models/openai-community/gpt2"
        first, second, third = (get_session().get(url) for _ in range(3))
        assert [first.status_code, second.status_code, third.status_code] == [429, 429, 200]
        assert first.headers["Retry-After"] == "7"
        assert get_session().get(f"{fake_hub.url}/api/models/tiiuae/falcon-7b").status_code == 200
        fake_hub.inject("info", "server_error", status=503, times=None)
        assert all(get_session().get(url).status_code == 503 for _ in range(3))
        assert fault.hits == 2
        assert fake_hub.count("info", status=503) == 3
        assert fake_hub.count("info", repo_id="openai-community/gpt2") == 6

    def test_body_faults(self, fake_hub: FakeHub, tmp_path: Path) -> None:
        url = f"{fake_hub.url}/api/models/openai-community/gpt2"
        fake_hub.inject("info", "truncated_json")
        body = get_session().get(url).content
        with pytest.raises(ValueError):
            json.loads(body)
        fake_hub.inject("info", "non_json")
        assert get_session().get(url).text.startswith("<!DOCTYPE html>")
        fake_hub.inject("resolve", "entry_not_found")
        with pytest.raises(RemoteEntryNotFoundError):
            hf_hub_download(
                "openai-community/gpt2",
                "config.json",
                endpoint=fake_hub.url,
                token=False,
                cache_dir=tmp_path,
            )

    def test_error_faults_map_in_the_real_client(self, fake_hub: FakeHub) -> None:
        fake_hub.inject("info", "gated", times=1)
        with pytest.raises(GatedRepoError):
            api(fake_hub).model_info("openai-community/gpt2")
        fake_hub.inject("info", "not_found", times=1)
        with pytest.raises(RepositoryNotFoundError):
            api(fake_hub).model_info("openai-community/gpt2")
        fake_hub.inject("info", "http_error", status=418, times=1)
        with pytest.raises(HfHubHTTPError) as caught:
            api(fake_hub).model_info("openai-community/gpt2")
        assert caught.value.response.status_code == 418

    def test_log_records_token_presence_never_its_value(self, fake_hub: FakeHub) -> None:
        api(fake_hub, token="hf_supersecret").model_info("openai-community/gpt2")
        api(fake_hub, token=False).model_info("openai-community/gpt2")
        with_token, without = fake_hub.requests()
        assert with_token.token_present and with_token.auth_scheme == "Bearer"
        assert not without.token_present and without.auth_scheme is None
        assert "authorization" not in with_token.headers
        assert "hf_supersecret" not in repr(fake_hub.requests())
        assert fake_hub.counts() == {"info": 2}
        fake_hub.reset_log()
        assert fake_hub.count() == 0
