"""catalog.hub.HubClient against the fake Hub: the real huggingface_hub, real HTTP, no mocks."""

from __future__ import annotations

import functools
import json
import pickle
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from catalog.errors import GatedModelError, HubError, HubOfflineError, UsageError
from catalog.hub import DEFAULT_EXPAND, HubClient, HubModel
from catalog.testing.fake_hub import FakeHub, git_blob_sha

GPT2 = "openai-community/gpt2"
GPT2_SHA = "607a30d783dfa663caf39e06633721c8d4cfcd7e"
LLAMA = "meta-llama/Llama-2-7b-hf"


def client(hub: FakeHub, **options: object) -> HubClient:
    """A client tuned for tests: short timeout, no backoff sleep."""
    settings: dict[str, object] = {
        "endpoint": hub.url,
        "token": False,
        "timeout": 2.0,
        "backoff": 0.0,
    }
    settings.update(options)
    return HubClient(**settings)  # type: ignore[arg-type]


class TestModelInfo:
    def test_maps_the_hub_fields(self, fake_hub: FakeHub) -> None:
        model = client(fake_hub).model_info(LLAMA)
        assert model.repo_id == LLAMA and model.sha == "01c7f73d771dfac7d292323805ebc428287df4f9"
        assert model.gated == "manual" and model.private is False and model.disabled is False
        assert model.license == "llama2" and model.pipeline_tag == "text-generation"
        assert model.safetensors_total == 6738415616
        assert model.safetensors_parameters == {"F16": 6738415616}
        assert model.config_subset == {"architectures": ["LlamaForCausalLM"], "model_type": "llama"}
        assert model.last_modified is not None and model.last_modified.tzinfo is not None
        assert model.created_at is not None and model.created_at < model.last_modified
        assert model.quantized is False and model.base_models == ()
        assert "extra_gated_prompt" in model.card_data

    def test_sends_exactly_the_expand_fields(self, fake_hub: FakeHub) -> None:
        client(fake_hub).model_info(GPT2)
        assert fake_hub.requests()[-1].param("expand") == list(DEFAULT_EXPAND)
        model = client(fake_hub).model_info(GPT2, expand=["likes"])
        assert fake_hub.requests()[-1].param("expand") == ["likes"]
        assert model.likes == 3014
        assert model.sha is None and model.downloads is None and model.gated is None
        assert model.present == {"_id", "id", "likes"}

    def test_license_falls_back_to_the_tag(self, fake_hub: FakeHub) -> None:
        fake_hub.add_model(
            "org/other", license="other", license_name="acme", license_link="LICENSE"
        )
        from_card = client(fake_hub).model_info("org/other", expand=["cardData"])
        assert (from_card.license, from_card.license_name, from_card.license_link) == (
            "other",
            "acme",
            "LICENSE",
        )
        from_tags = client(fake_hub).model_info(GPT2, expand=["tags"])
        assert from_tags.license == "mit" and from_tags.card_data == {}

    def test_base_models_quantization_and_card_lists(self, fake_hub: FakeHub) -> None:
        fake_hub.add_model(
            "TheBloke/Llama-2-7B-GPTQ",
            base_model=LLAMA,
            base_model_relation="quantized",
            config={
                "model_type": "llama",
                "quantization_config": {"quant_method": "gptq", "bits": 4},
            },
            safetensors_parameters={"I32": 900_000_000, "F16": 300_000_000},
        )
        fake_hub.add_model(
            "org/merge", base_model=[LLAMA, "mistralai/Mistral-7B-v0.1"], license=None,
            card_data={"license": ["apache-2.0", "mit"]}, tags=["4-bit"],
        )  # fmt: skip
        gptq = client(fake_hub).model_info("TheBloke/Llama-2-7B-GPTQ")
        assert gptq.base_models == (LLAMA,) and gptq.quantized
        assert gptq.safetensors_total == 1_200_000_000
        merge = client(fake_hub).model_info("org/merge")
        assert merge.base_models == (LLAMA, "mistralai/Mistral-7B-v0.1")
        assert merge.license == "apache-2.0" and merge.quantized  # the 4-bit tag
        only_tags = client(fake_hub).model_info("org/merge", expand=["tags"])
        assert only_tags.base_models == (LLAMA, "mistralai/Mistral-7B-v0.1")

    def test_revision_is_encoded_in_the_path(self, fake_hub: FakeHub) -> None:
        old_sha = fake_hub.get_model(GPT2).sha
        fake_hub.update_model(GPT2, downloads=5)
        assert client(fake_hub).model_info(GPT2, revision=old_sha).sha == old_sha
        with pytest.raises(HubError, match="revision not found"):
            client(fake_hub).model_info(GPT2, revision="refs/pr/1")
        assert fake_hub.requests()[-1].path == f"/api/models/{GPT2}/revision/refs%2Fpr%2F1"

    def test_bad_input_is_refused_before_any_request(self, fake_hub: FakeHub) -> None:
        hub = client(fake_hub)
        for bad in ("../etc/passwd", "a/b/c", "", "org/..", "spaces in/name"):
            with pytest.raises(UsageError):
                hub.model_info(bad)
        with pytest.raises(UsageError, match="unknown expand"):
            hub.model_info(GPT2, expand=["bogus"])
        with pytest.raises(UsageError):
            hub.model_info(GPT2, revision="../main")
        with pytest.raises(UsageError):
            hub.download_config("../x")
        with pytest.raises(UsageError):
            hub.list_models(page_size=1001)
        with pytest.raises(UsageError):
            hub.list_models(author="a/b")
        assert fake_hub.count() == 0

    def test_a_400_from_the_hub_is_a_hub_error(self, fake_hub: FakeHub) -> None:
        fake_hub.inject("info", "http_error", status=400)
        with pytest.raises(HubError, match="HTTP 400"):
            client(fake_hub).model_info(GPT2)
        assert fake_hub.count("info") == 1

    def test_from_api_needs_an_id(self) -> None:
        with pytest.raises(HubError, match="without an id"):
            HubModel.from_api({"sha": "x"})
        odd = HubModel.from_api(
            {"id": "a/b", "gated": True, "downloads": "7", "lastModified": "soon"}
        )
        assert odd.gated is None and odd.downloads is None and odd.last_modified is None


class TestListModels:
    def test_2500_models_in_pages_of_1000_take_3_requests(self, fake_hub: FakeHub) -> None:
        fake_hub.add_synthetic_models(2500 - len(fake_hub.repo_ids), seed=1)
        models = list(client(fake_hub).list_models(page_size=1000))
        assert len(models) == 2500 and len({m.repo_id for m in models}) == 2500
        assert fake_hub.count("list") == 3
        assert all(m.sha is not None and m.gated is not None for m in models)
        first, later = fake_hub.requests("list")[0], fake_hub.requests("list")[2]
        assert first.param("limit") == ["1000"] and later.param("expand") == list(DEFAULT_EXPAND)

    def test_limit_stops_fetching(self, fake_hub: FakeHub) -> None:
        fake_hub.add_synthetic_models(50, seed=2)
        models = list(client(fake_hub).list_models(limit=25, page_size=10))
        assert len(models) == 25 and fake_hub.count("list") == 3
        fake_hub.reset_log()
        assert len(list(client(fake_hub).list_models(limit=5))) == 5
        assert fake_hub.count("list") == 1 and fake_hub.requests()[0].param("limit") == ["5"]
        assert list(client(fake_hub).list_models(limit=0)) == []

    def test_filters_reach_the_hub(self, fake_hub: FakeHub) -> None:
        hub = client(fake_hub)
        assert [m.repo_id for m in hub.list_models(author="mistralai")] == [
            "mistralai/Mistral-7B-v0.1"
        ]
        llamas = {m.repo_id for m in hub.list_models(search="llama-2", gated=True)}
        assert llamas == {LLAMA, "meta-llama/Llama-2-13b-hf", "meta-llama/Llama-2-70b-hf"}
        neo = [m.repo_id for m in hub.list_models(tags=["gpt_neo", "license:mit"], sort="likes")]
        assert sorted(neo) == [
            "EleutherAI/gpt-neo-1.3B",
            "EleutherAI/gpt-neo-125m",
            "EleutherAI/gpt-neo-2.7B",
        ]
        likes = [fake_hub.get_model(r).likes for r in neo]
        assert likes == sorted(likes, reverse=True)
        assert fake_hub.requests()[-1].param("filter") == ["gpt_neo", "license:mit"]
        assert [m.repo_id for m in hub.list_models(pipeline_tag="fill-mask")] == []

    def test_a_failing_page_is_retried(self, fake_hub: FakeHub) -> None:
        fake_hub.add_synthetic_models(20, seed=4)
        models = client(fake_hub).list_models(page_size=10)
        first_page = [next(models) for _ in range(10)]
        fake_hub.inject("list", "server_error", status=503, times=1)
        rest = list(models)
        assert len(first_page) + len(rest) == len(fake_hub.repo_ids)
        assert fake_hub.count("list") == 5 and fake_hub.count("list", status=503) == 1

    def test_a_next_link_to_another_host_is_not_followed(self, fake_hub: FakeHub) -> None:
        fake_hub.link_base = "http://127.0.0.2:9"
        with pytest.raises(HubError, match="leaves"):
            list(client(fake_hub, token="hf_secret").list_models(page_size=5))
        assert fake_hub.count("list") == 1

    def test_a_list_that_is_not_a_list(self, fake_hub: FakeHub) -> None:
        fake_hub.inject("list", "truncated_json")
        with pytest.raises(HubError, match="invalid JSON from the Hub"):
            list(client(fake_hub).list_models())


class TestFaults:
    def test_429_waits_for_retry_after_then_succeeds(self, fake_hub: FakeHub) -> None:
        fake_hub.inject("info", "rate_limit", repo_id=GPT2, times=2, retry_after=0)
        assert client(fake_hub).model_info(GPT2).sha == GPT2_SHA
        assert fake_hub.count("info", status=429) == 2 and fake_hub.count("info", status=200) == 1

    def test_429_longer_than_the_budget_gives_up_at_once(self, fake_hub: FakeHub) -> None:
        fake_hub.inject("info", "rate_limit", times=None, retry_after=3600)
        with pytest.raises(HubError, match="rate limited.*Retry-After 3600"):
            client(fake_hub, max_wait=5).model_info(GPT2)
        assert fake_hub.count("info") == 1

    def test_5xx_k_times_then_ok(self, fake_hub: FakeHub) -> None:
        fake_hub.inject("info", "server_error", times=2)
        assert client(fake_hub, max_retries=2).model_info(GPT2).repo_id == GPT2
        assert fake_hub.count("info") == 3

    def test_5xx_always_gives_up_after_max_retries(self, fake_hub: FakeHub) -> None:
        fake_hub.inject("info", "server_error", status=503, times=None)
        with pytest.raises(HubError, match=r"HTTP 503 \(gave up after 3 attempts\)"):
            client(fake_hub, max_retries=2).model_info(GPT2)
        assert fake_hub.count("info") == 3

    def test_backoff_is_bounded_by_max_wait(self, fake_hub: FakeHub) -> None:
        fake_hub.inject("info", "server_error", times=None)
        with pytest.raises(HubError, match="gave up after 1 attempt"):
            client(fake_hub, backoff=10.0, max_wait=1.0).model_info(GPT2)

    def test_timeout_is_retried_then_reported(self, fake_hub: FakeHub) -> None:
        fake_hub.inject("info", "timeout", delay=1.5, times=None)
        with pytest.raises(HubError, match="no answer within 0.2 s"):
            client(fake_hub, timeout=0.2, max_retries=1).model_info(GPT2)
        assert fake_hub.count("info") == 2

    def test_dropped_connections_are_retried(self, fake_hub: FakeHub) -> None:
        fake_hub.inject("info", "disconnect", times=1)
        fake_hub.inject("info", "short_body", times=1)
        assert client(fake_hub).model_info(GPT2).sha == GPT2_SHA
        assert fake_hub.count("info") == 3

    @pytest.mark.parametrize("kind", ["truncated_json", "non_json"])
    def test_invalid_json_is_reported_not_retried(self, fake_hub: FakeHub, kind: str) -> None:
        fake_hub.inject("info", kind, times=None)  # type: ignore[arg-type]
        with pytest.raises(HubError, match="invalid JSON from the Hub for model info"):
            client(fake_hub).model_info(GPT2)
        assert fake_hub.count("info") == 1

    def test_gated_and_not_found(self, fake_hub: FakeHub) -> None:
        fake_hub.inject("info", "gated")
        with pytest.raises(GatedModelError, match="gated"):
            client(fake_hub).model_info(GPT2)
        with pytest.raises(HubError, match="repo not found"):
            client(fake_hub).model_info("nobody/nothing")
        fake_hub.inject("info", "not_found")
        with pytest.raises(HubError, match="repo not found"):
            client(fake_hub).model_info(GPT2)

    def test_errors_are_one_line(self, fake_hub: FakeHub) -> None:
        fake_hub.inject("info", "server_error", times=None)
        with pytest.raises(HubError) as caught:
            client(fake_hub, max_retries=0).model_info(GPT2)
        assert "\n" not in str(caught.value)


class TestOffline:
    def test_env_offline_makes_no_request(
        self, fake_hub: FakeHub, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        hub = client(fake_hub)
        monkeypatch.setenv("HF_HUB_OFFLINE", "1")
        assert hub.offline
        with pytest.raises(HubOfflineError, match="offline mode is on"):
            hub.model_info(GPT2)
        with pytest.raises(HubOfflineError):
            hub.list_models()
        with pytest.raises(HubOfflineError):
            hub.download_config(GPT2)
        assert fake_hub.count() == 0

    def test_explicit_offline_wins(
        self, fake_hub: FakeHub, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        with pytest.raises(HubOfflineError):
            client(fake_hub, offline=True).model_info(GPT2)
        monkeypatch.setenv("HF_HUB_OFFLINE", "1")
        assert client(fake_hub, offline=False).model_info(GPT2).sha == GPT2_SHA
        assert fake_hub.count() == 1

    def test_offline_serves_a_cached_config(self, fake_hub: FakeHub) -> None:
        assert client(fake_hub).download_config(GPT2)["n_layer"] == 12
        fake_hub.reset_log()
        assert client(fake_hub, offline=True).download_config(GPT2)["n_layer"] == 12
        assert client(fake_hub).download_config(GPT2, revision=GPT2_SHA)["n_layer"] == 12
        assert fake_hub.count() == 0


class TestToken:
    def test_token_is_sent_as_bearer_and_never_shown(self, fake_hub: FakeHub) -> None:
        secret = "hf_TopSecretValue123"
        fake_hub.grant_access(LLAMA, secret)
        hub = client(fake_hub, token=secret)
        assert hub.download_config(LLAMA)["num_hidden_layers"] == 32  # only the granted token works
        hub.model_info(GPT2)
        assert all(r.token_present and r.auth_scheme == "Bearer" for r in fake_hub.requests())
        fake_hub.inject("info", "server_error", times=None)
        with pytest.raises(HubError) as caught:
            hub.model_info(GPT2)
        shown = [
            repr(hub),
            str(hub),
            str(caught.value),
            repr(caught.value),
            repr(fake_hub.requests()),
        ]
        assert all(secret not in text for text in shown)
        assert "authenticated=True" in repr(hub)
        with pytest.raises(TypeError):
            pickle.dumps(hub)

    def test_token_comes_from_the_environment_at_construction(
        self, fake_hub: FakeHub, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("HF_TOKEN", "hf_from_env")
        from_env = HubClient()
        monkeypatch.delenv("HF_TOKEN")
        fake_hub.grant_access(LLAMA, "hf_from_env")
        assert from_env.authenticated and from_env.endpoint == fake_hub.url
        assert from_env.download_config(LLAMA)["hidden_size"] == 4096
        assert not HubClient().authenticated

    def test_token_false_sends_nothing(
        self, fake_hub: FakeHub, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("HF_TOKEN", "hf_from_env")
        hub = client(fake_hub, token=False)
        hub.model_info(GPT2)
        assert not hub.authenticated and not fake_hub.requests()[0].token_present
        with pytest.raises(GatedModelError, match="no token was sent"):
            hub.download_config(LLAMA)

    def test_login_file_under_hf_home(
        self, fake_hub: FakeHub, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        (tmp_path / "token").write_text("hf_from_file\n")
        monkeypatch.setenv("HF_HOME", str(tmp_path))
        hub = HubClient(endpoint=fake_hub.url)
        assert hub.authenticated and hub.cache_dir == tmp_path / "hub"


class TestDownloadConfig:
    def test_lands_in_the_hf_home_cache(
        self, fake_hub: FakeHub, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        monkeypatch.setenv("HF_HOME", str(tmp_path / "home"))
        config = HubClient(endpoint=fake_hub.url, token=False).download_config(GPT2)
        assert config["n_embd"] == 768 and config["model_type"] == "gpt2"
        repo = tmp_path / "home" / "hub" / "models--openai-community--gpt2"
        assert json.loads((repo / "snapshots" / GPT2_SHA / "config.json").read_text()) == config
        assert (repo / "refs" / "main").read_text() == GPT2_SHA
        assert [r.method for r in fake_hub.requests()] == ["GET"]  # no HEAD before it

    def test_the_cache_is_the_one_huggingface_hub_reads(
        self, fake_hub: FakeHub, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        from huggingface_hub import hf_hub_download, scan_cache_dir, try_to_load_from_cache

        cache = tmp_path / "hub"
        monkeypatch.setenv("HF_HUB_CACHE", str(cache))
        config = client(fake_hub).download_config(GPT2)
        pointer = cache / "models--openai-community--gpt2" / "snapshots" / GPT2_SHA / "config.json"
        assert pointer.is_symlink() and not Path(str(pointer.readlink())).is_absolute()
        assert try_to_load_from_cache(GPT2, "config.json", cache_dir=cache) == str(pointer)
        found = hf_hub_download(GPT2, "config.json", cache_dir=cache, local_files_only=True)
        assert json.loads(Path(found).read_text()) == config
        (repo,) = scan_cache_dir(cache).repos
        (revision,) = repo.revisions
        assert revision.commit_hash == GPT2_SHA and revision.refs == frozenset({"main"})
        (cached,) = revision.files
        assert cached.blob_path.name == git_blob_sha(pointer.read_bytes())  # the ETag

    def test_cached_commit_costs_one_get(self, fake_hub: FakeHub) -> None:
        hub = client(fake_hub)
        hub.download_config(GPT2)
        fake_hub.reset_log()
        assert hub.download_config(GPT2)["n_head"] == 12
        assert [r.method for r in fake_hub.requests()] == ["GET"]
        assert hub.download_config(GPT2, revision=GPT2_SHA)["n_head"] == 12
        assert hub.requests_made == 2 and fake_hub.count() == 1

    def test_new_commit_is_downloaded(self, fake_hub: FakeHub) -> None:
        hub = client(fake_hub)
        hub.download_config(GPT2)
        config = dict(fake_hub.get_model(GPT2).config or {}, n_layer=24)
        new_sha = fake_hub.update_model(GPT2, config=config).sha
        assert hub.download_config(GPT2)["n_layer"] == 24
        assert hub.download_config(GPT2, revision=GPT2_SHA)["n_layer"] == 12
        assert hub.download_config(GPT2, revision=new_sha)["n_layer"] == 24

    def test_missing_config(self, fake_hub: FakeHub) -> None:
        fake_hub.add_model("org/gguf", config=None, library_name="gguf")
        with pytest.raises(HubError, match="config.json of org/gguf@main: file not found"):
            client(fake_hub).download_config("org/gguf")
        fake_hub.inject("resolve", "entry_not_found")
        with pytest.raises(HubError, match="file not found"):
            client(fake_hub).download_config(GPT2)

    @pytest.mark.parametrize("kind", ["non_json", "truncated_json"])
    def test_config_that_is_not_json(self, fake_hub: FakeHub, kind: str) -> None:
        fake_hub.inject("resolve", kind, times=None)  # type: ignore[arg-type]
        with pytest.raises(HubError, match="is not valid JSON"):
            client(fake_hub).download_config(GPT2)

    def test_transient_resolve_failures_are_retried(self, fake_hub: FakeHub) -> None:
        fake_hub.inject("resolve", "rate_limit", retry_after=0, times=1)
        fake_hub.inject("resolve", "server_error", status=502, times=1)
        assert client(fake_hub).download_config(GPT2)["vocab_size"] == 50257
        assert fake_hub.count("resolve") == 3  # 429, 502, then the GET that answers

    def test_resolve_down_fails_fast(self, fake_hub: FakeHub) -> None:
        fake_hub.inject("resolve", "server_error", status=503, times=None)
        with pytest.raises(HubError, match="HTTP 503"):
            client(fake_hub, max_retries=1).download_config(GPT2)
        assert fake_hub.count("resolve") == 2

    def test_unusable_cache_dir(
        self, fake_hub: FakeHub, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        (tmp_path / "a-file").write_text("not a directory")
        monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "a-file" / "hub"))
        with pytest.raises(HubError, match="cannot use the cache directory"):
            HubClient(endpoint=fake_hub.url, token=False).download_config(GPT2)

    def test_a_server_that_is_not_a_hub_is_refused(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        served = tmp_path / "site" / GPT2 / "resolve" / "main"
        served.mkdir(parents=True)
        (served / "config.json").write_text('{"n_layer": 12}')
        cache = tmp_path / "hub"
        monkeypatch.setenv("HF_HUB_CACHE", str(cache))
        handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path / "site"))
        with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
            threading.Thread(target=server.serve_forever, daemon=True).start()
            plain = HubClient(endpoint=f"http://127.0.0.1:{server.server_port}", token=False)
            try:
                with pytest.raises(HubError, match="does not answer like a Hub"):
                    plain.download_config(GPT2)
            finally:
                server.shutdown()
        assert not cache.exists()  # nothing kept under a made-up commit

    def test_an_oversized_config_is_not_read_to_the_end(self, fake_hub: FakeHub) -> None:
        fake_hub.add_model("org/huge", config={"model_type": "llama", "pad": "x" * 5_000_000})
        with pytest.raises(HubError, match="larger than 4194304 bytes"):
            client(fake_hub).download_config("org/huge")

    def test_repo_not_found(self, fake_hub: FakeHub) -> None:
        with pytest.raises(HubError, match="repo not found"):
            client(fake_hub).download_config("nobody/nothing")


class TestEnvironment:
    def test_read_at_construction_not_import(
        self, fake_hub: FakeHub, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:1/")
        monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "cache"))
        hub = HubClient()
        assert hub.endpoint == "http://127.0.0.1:1" and hub.cache_dir == tmp_path / "cache"
        with pytest.raises(UsageError):
            HubClient(endpoint="ftp://example.org")

    def test_importing_the_adapter_does_not_import_huggingface_hub(self) -> None:
        code = "import sys, catalog.hub; print('huggingface_hub' in sys.modules)"
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == "False"
