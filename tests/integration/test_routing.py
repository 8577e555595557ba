"""Routed calls: kamailio (the shipped data/kamailio/sportello-queues.cfg) registers two real
sportellod agents and dispatches calls to sip:support@ among them. Each agent publishes whether
it can take a call (Agent1.Available) to kamailio's dispatcher over JSON-RPC; the callers are
baresip and an exact sipp scenario. What is checked: which agent each call reached (the
session at that agent, and kamailio's own decisions), the dispatcher's state for each agent,
readiness and after-call work on D-Bus, and the errors of bad choices."""

import json
import socket
import subprocess
import threading
import urllib.request

import pytest

from conftest import AGENT, NAME, ROOT, SESSION, SOURCE_DIR, free_port, wait_for
from timescale import scaled
from peers import Baresip, Sipp, sportello_config

QUEUE_CONFIG = SOURCE_DIR / "data" / "kamailio" / "sportello-queues.cfg"
B_NAME = "org.sportello.Test.AgentB"


class QueueRouter:
    """kamailio with the shipped queue config; AGENTS (user parts) form dispatcher set 1."""

    def __init__(self, testenv, agents, ring_timeout=6):
        self.port = free_port()
        self.rpc_port = free_port(socket.SOCK_STREAM)
        self.dir = testenv.root / "kamailio"
        self.dir.mkdir()
        dispatcher = self.dir / "dispatcher.list"
        dispatcher.write_text("".join(f"1 {self.destination(agent)} 0 0\n" for agent in agents))
        defines = ["-A", f"SIP_PORT={self.port}", "-A", f"RPC_PORT={self.rpc_port}",
                   "-A", f'DISPATCHER_LIST="{dispatcher}"', "-A", f"RING_TIMEOUT={int(scaled(ring_timeout) * 1000)}"]
        check = subprocess.run(["kamailio", "-c", "-f", str(QUEUE_CONFIG), *defines], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        self.proc = testenv.procs.start("kamailio", ["kamailio", "-f", str(QUEUE_CONFIG), *defines, "-DD", "-E",
                                                     "-Y", str(self.dir), "-P", str(self.dir / "kamailio.pid"),
                                                     "-w", str(self.dir)], testenv.env)
        wait_for(self._listening, 10, what="kamailio listening")

    def _listening(self):
        udp = subprocess.run(["ss", "-Hlun", f"sport = :{self.port}"], capture_output=True, text=True).stdout
        tcp = subprocess.run(["ss", "-Hltn", f"sport = :{self.rpc_port}"], capture_output=True, text=True).stdout
        return f":{self.port}" in udp and f":{self.rpc_port}" in tcp

    @property
    def uri(self):
        return f"sip:127.0.0.1:{self.port}"

    @property
    def queue(self):
        return f"sip:support@127.0.0.1:{self.port}"

    def destination(self, agent):
        return f"sip:{agent}@127.0.0.1:{self.port}"

    def rpc(self, method, params):
        body = json.dumps({"jsonrpc": "2.0", "method": method, "params": params, "id": 1}).encode()
        with urllib.request.urlopen(f"http://127.0.0.1:{self.rpc_port}/RPC", body, timeout=5) as reply:
            return json.loads(reply.read())

    def flags(self, agent):
        """The dispatcher's flags for AGENT: "AX" active, "IX" inactive."""
        for record in self.rpc("dispatcher.list", [])["result"]["RECORDS"]:
            for target in record["SET"]["TARGETS"]:
                if target["DEST"]["URI"] == self.destination(agent):
                    return target["DEST"]["FLAGS"]
        return None

    def decisions(self):
        """kamailio's routing decisions, in order: "agent1", "agent2", "none" (no agent)."""
        out = []
        for line in self.proc.log_path.read_text(errors="replace").splitlines():
            if "QUEUE" not in line:
                continue
            if " -> sip:" in line:
                out.append(line.split(" -> sip:")[1].split("@")[0])
            elif "no agent available" in line:
                out.append("none")
        return out


class Agent:
    """A sportellod registered at the router, publishing its availability there."""

    def __init__(self, testenv, router, user, bus_name=NAME, start="ready", after_call_work=60, rpc=None,
                 extra=""):
        self.testenv, self.user, self.bus_name = testenv, user, bus_name
        port = free_port()
        rpc = rpc or f"http://127.0.0.1:{router.rpc_port}/RPC"
        extra = (f"\n[readiness]\nnot-ready-reasons = break=Break;lunch=Lunch\nafter-call-work = {after_call_work}\n"
                 f"start = {start}\n\n[routing]\nrpc = {rpc}\ndestination = {router.destination(user)}\nsets = 1\n"
                 "queue-key = Queue\n" + extra)
        text = sportello_config(testenv, port, registrar=router.uri, extra=extra).read_text()
        text = text.replace("uri = sip:agent1@127.0.0.1", f"uri = sip:{user}@127.0.0.1")
        text = text.replace("headers = X-Account-Number", "headers = X-Queue=Queue;X-Account-Number")
        config = testenv.write_config(text, name=f"{user}.conf")
        self.proc = testenv.start_sportellod(config=config, data_dir=testenv.root / f"data-{user}", name=user,
                                            bus_name=bus_name)
        wait_for(lambda: self.get("Registration") == "registered", 20, what=f"{user} registered")

    def get(self, prop, interface=AGENT, path=ROOT):
        return self.testenv.get_property(interface, prop, path=path, bus_name=self.bus_name)

    def call(self, method, signature=None, args=(), interface=AGENT, path=ROOT):
        return self.testenv.call(interface, method, signature, args, path=path, bus_name=self.bus_name)

    def sessions(self):
        objects = self.call("GetManagedObjects", interface="org.freedesktop.DBus.ObjectManager")
        return sorted(p for p, ifaces in objects.items() if SESSION in ifaces)

    def state(self, path):
        return self.get("State", interface=SESSION, path=path)

    def stop(self):
        self.testenv.stop_sportellod(self.proc)


def published(router, agent, available):
    """The dispatcher holds AGENT as active (or inactive) and the agent says it published."""
    flags = router.flags(agent.user) or ""
    return flags.startswith("A" if available else "I") and agent.get("Routing") == "published"


def direct_call(testenv, router, agent):
    """A baresip calls AGENT through the registrar (not a queue); the agent answers."""
    phone = Baresip(testenv)
    try:
        assert phone.command("dial", router.destination(agent.user))["ok"]
        path = wait_for(lambda: (agent.sessions() or [None])[0], 15, what="the direct call")
        agent.call("Answer", interface=SESSION, path=path)
        phone.wait_event("CALL_ESTABLISHED")
        phone.command("hangup")
    finally:
        phone.close()


def new_session(agents, before, router=None):
    """The agent that got a new session since BEFORE (agent -> its sessions then), and it."""
    def find():
        for agent in agents:
            fresh = [p for p in agent.sessions() if p not in before[agent.user]]
            if fresh:
                return agent, fresh[0]
        return None
    try:
        return wait_for(find, 20, what="a queue call at an agent")
    except BaseException:
        if router:
            print(router.proc.log_path.read_text(errors="replace")[-4000:])
        for agent in agents:
            print(agent.proc.log_path.read_text(errors="replace")[-3000:])
        raise


def snapshot(agents):
    return {agent.user: agent.sessions() for agent in agents}


def take_call(agent, path):
    """Answer; the routed call carries the queue's name as attached data."""
    agent.call("Answer", interface=SESSION, path=path)
    wait_for(lambda: agent.state(path) == "talking", 15, what=f"{agent.user} talking")
    assert agent.get("AttachedData", interface=SESSION, path=path).get("Queue") == "support"
    assert agent.get("Readiness") == "ready" and agent.get("Available") is False


def wrap_up(router, agent, path):
    """The call has ended: after-call work until Mark Done, then Ready and active again."""
    wait_for(lambda: agent.state(path) == "disconnected", 15, what=f"{agent.user}'s call ended")
    assert agent.get("Readiness") == "after-call-work"
    wait_for(lambda: published(router, agent, False), 10, what=f"{agent.user} inactive in after-call work")
    agent.call("MarkDone", interface=SESSION, path=path)
    assert agent.get("Readiness") == "ready"
    wait_for(lambda: published(router, agent, True), 10, what=f"{agent.user} active again")


def baresip_call(phone, router, agents):
    before = snapshot(agents)
    assert phone.command("dial", router.queue)["ok"]
    agent, path = new_session(agents, before, router)
    take_call(agent, path)
    phone.wait_event("CALL_ESTABLISHED")
    phone.command("hangup")
    phone.wait_event("CALL_CLOSED")
    wrap_up(router, agent, path)
    return agent.user


@pytest.fixture
def team(testenv):
    router = QueueRouter(testenv, ["agent1", "agent2"])
    a = Agent(testenv, router, "agent1")
    b = Agent(testenv, router, "agent2", bus_name=B_NAME)
    for agent in (a, b):
        wait_for(lambda: published(router, agent, True), 10, what=f"{agent.user} published")
    yield router, a, b
    for agent in (a, b):
        agent.stop()


def test_calls_alternate_between_ready_agents_and_skip_a_not_ready_one(testenv, team):
    router, a, b = team
    phone = Baresip(testenv)
    reached = [baresip_call(phone, router, [a, b]) for _ in range(4)]
    assert sorted(reached) == ["agent1", "agent1", "agent2", "agent2"], reached
    assert all(reached[i] != reached[i + 1] for i in range(3)), f"not round robin: {reached}"
    assert router.decisions() == reached

    # B goes on a break: the router marks it inactive and every call goes to A.
    b.call("SetReadiness", "ss", ("not-ready", "break"))
    assert (b.get("Readiness"), b.get("ReadinessReason"), b.get("Available")) == ("not-ready", "break", False)
    wait_for(lambda: published(router, b, False), 10, what="agent2 inactive")
    reached = [baresip_call(phone, router, [a, b]) for _ in range(3)]
    assert reached == ["agent1"] * 3
    assert len(b.sessions()) == 0
    phone.close()


def test_a_busy_agent_is_skipped_and_a_caller_from_sipp_reaches_the_other(testenv, team):
    router, a, b = team
    phone = Baresip(testenv)
    before = snapshot([a, b])
    assert phone.command("dial", router.queue)["ok"]
    first, first_path = new_session([a, b], before, router)
    take_call(first, first_path)
    phone.wait_event("CALL_ESTABLISHED")
    other = b if first is a else a
    wait_for(lambda: published(router, first, False), 10, what=f"{first.user} inactive while talking")

    # A second caller, an exact sipp scenario, reaches the free agent while the first talks.
    before = snapshot([a, b])
    caller = Sipp(testenv, "queue-caller", "queue_call.xml", remote=f"127.0.0.1:{router.port}",
                  extra=("-s", "support"))
    second, path = new_session([a, b], before, router)
    assert second is other
    take_call(second, path)
    second.call("Disconnect", interface=SESSION, path=path)
    caller.assert_passed()
    wrap_up(router, second, path)

    phone.command("hangup")
    wrap_up(router, first, first_path)
    assert router.decisions() == [first.user, other.user]
    phone.close()


def test_an_unanswered_or_rejected_call_fails_over(testenv, team):
    router, a, b = team
    phone = Baresip(testenv)
    # Whoever rings first lets it ring: after RING_TIMEOUT (6 s, scaled) the router tries the other.
    before = snapshot([a, b])
    assert phone.command("dial", router.queue)["ok"]
    silent, silent_path = new_session([a, b], before, router)
    other = b if silent is a else a
    before[silent.user].append(silent_path)
    answering, path = new_session([a, b], before, router)
    assert answering is other
    assert silent.state(silent_path) == "disconnected"
    assert silent.get("Readiness") == "ready"  # a missed call needs no after-call work
    take_call(answering, path)
    phone.wait_event("CALL_ESTABLISHED")
    phone.command("hangup")
    wrap_up(router, answering, path)
    silent.call("MarkDone", interface=SESSION, path=silent_path)

    # An agent who rejects the call (486 Busy Here) passes it on at once.
    before = snapshot([a, b])
    assert phone.command("dial", router.queue)["ok"]
    rejecting, rejected_path = new_session([a, b], before, router)
    before[rejecting.user].append(rejected_path)  # the next agent may ring before Reject returns
    rejecting.call("Reject", interface=SESSION, path=rejected_path)
    taking, path = new_session([a, b], before, router)
    assert taking is not rejecting
    take_call(taking, path)
    phone.wait_event("CALL_ESTABLISHED")
    phone.command("hangup")
    wrap_up(router, taking, path)
    log = router.proc.log_path.read_text(errors="replace")
    assert "408 from the agent, next" in log and "486 from the agent, next" in log
    phone.close()


def test_a_routed_call_offered_while_not_ready_goes_on_to_the_next(testenv, team):
    """The router's view may lag the agent's: a routed call (X-Queue) that reaches an agent who
    is not available is refused with 486 and goes on; a call to the agent itself still rings."""
    router, a, b = team
    b.call("SetReadiness", "ss", ("not-ready", "lunch"))
    wait_for(lambda: published(router, b, False), 10, what="agent2 inactive")
    assert router.rpc("dispatcher.set_state", ["a", 1, router.destination("agent2")])["result"]
    assert router.flags("agent2").startswith("A")
    phone = Baresip(testenv)
    reached = [baresip_call(phone, router, [a, b]) for _ in range(2)]
    assert reached == ["agent1", "agent1"]
    assert b.sessions() == []
    assert "486 from the agent, next" in router.proc.log_path.read_text(errors="replace")
    assert "routed call refused with 486" in b.proc.log_path.read_text(errors="replace")

    assert phone.command("dial", router.destination("agent2"))["ok"]
    path = wait_for(lambda: (b.sessions() or [None])[0], 15, what="the direct call at agent2")
    b.call("Answer", interface=SESSION, path=path)
    phone.wait_event("CALL_ESTABLISHED")
    phone.command("hangup")
    phone.close()


def test_a_transfer_to_the_queue_is_routed_to_a_ready_agent(testenv):
    """Agent A hands the customer to the support queue: the customer's phone follows A's REFER to
    the router, which offers the call to the agent who is available (B; A is on that very call)."""
    router = QueueRouter(testenv, ["agent1", "agent2"])
    queue = f"\n[queue:support]\nname = Technical support\nuri = {router.queue}\n"
    a = Agent(testenv, router, "agent1", extra=queue)
    b = Agent(testenv, router, "agent2", bus_name=B_NAME)
    for agent in (a, b):
        wait_for(lambda: published(router, agent, True), 10, what=f"{agent.user} published")
    phone = Baresip(testenv)
    assert phone.command("dial", router.destination("agent1"))["ok"]  # the customer calls A itself
    path = wait_for(lambda: (a.sessions() or [None])[0], 15, what="the customer's call at A")
    a.call("Answer", interface=SESSION, path=path)
    phone.wait_event("CALL_ESTABLISHED")
    wait_for(lambda: published(router, a, False), 10, what="agent1 inactive on the call")

    outcome = {}

    def transfer():
        try:
            testenv.call(SESSION, "Transfer", "ss", ("support", "needs a technician"), path=path, timeout_ms=90000)
            outcome["ok"] = True
        except Exception as error:  # checked below
            outcome["error"] = error
    thread = threading.Thread(target=transfer)
    thread.start()
    b_path = wait_for(lambda: (b.sessions() or [None])[0], 20, what="the transferred call at agent2")
    assert b.get("AttachedData", interface=SESSION, path=b_path).get("Queue") == "support"
    b.call("Answer", interface=SESSION, path=b_path)
    thread.join(timeout=60)
    assert outcome.get("ok"), outcome
    assert a.get("EndReason", interface=SESSION, path=path)[3] == "transferred to Technical support"
    assert a.get("Readiness") == "after-call-work"
    wait_for(lambda: b.state(b_path) == "talking", 15, what="agent2 talking with the customer")
    assert router.decisions() == ["agent2"]
    phone.command("hangup")
    wait_for(lambda: b.state(b_path) == "disconnected", 15, what="the customer hung up")
    phone.close()
    a.stop()
    b.stop()


def test_a_call_ends_up_with_the_agent_who_became_ready(testenv):
    router = QueueRouter(testenv, ["agent1", "agent2"])
    a = Agent(testenv, router, "agent1", start="not-ready")
    b = Agent(testenv, router, "agent2", bus_name=B_NAME, start="not-ready")
    assert (a.get("Readiness"), a.get("ReadinessReason")) == ("not-ready", "break")
    for agent in (a, b):
        wait_for(lambda: published(router, agent, False), 10, what=f"{agent.user} inactive")
    phone = Baresip(testenv)
    assert phone.command("dial", router.queue)["ok"]
    phone.wait_event("CALL_CLOSED")
    assert router.decisions() == ["none"]
    assert a.sessions() == [] and b.sessions() == []

    result = testenv.ctl("--bus-name", B_NAME, "ready")
    assert result.stdout == "ready\n"
    wait_for(lambda: published(router, b, True), 10, what="agent2 active")
    assert baresip_call(phone, router, [a, b]) == "agent2"
    assert router.decisions() == ["none", "agent2"]
    phone.close()
    a.stop()
    b.stop()


def test_bad_choices_and_an_unreachable_router(testenv):
    """Wrong readiness choices get InvalidArgument and change nothing; a router that cannot be
    reached shows in Routing while calls keep coming directly."""
    router = QueueRouter(testenv, ["agent1"])
    a = Agent(testenv, router, "agent1", rpc=f"http://127.0.0.1:{free_port(socket.SOCK_STREAM)}/RPC")
    wait_for(lambda: a.get("Routing").startswith("failed: "), 15, what="the routing failure")
    for state, reason in (("after-call-work", ""), ("not-ready", "nap"), ("ready", "break"), ("away", "")):
        with pytest.raises(Exception) as error:
            a.call("SetReadiness", "ss", (state, reason))
        assert "org.sportello.Error.InvalidArgument" in str(error.value), (state, reason, error.value)
        assert (a.get("Readiness"), a.get("ReadinessReason")) == ("ready", "")
    result = testenv.ctl("not-ready", "nap", check=False)
    assert result.returncode != 0
    assert result.stderr.startswith("sportelloctl: org.sportello.Error.InvalidArgument: ")
    assert testenv.ctl("reasons").stdout.split() == ["break", "Break", "lunch", "Lunch"]
    assert testenv.ctl("not-ready", "lunch").stdout == "not-ready lunch\n"
    # The change is published again (Routing: publishing) and fails again against this router.
    wait_for(lambda: "failed: " in testenv.ctl("readiness").stdout, 15, what="the new publication failing")
    shown = testenv.ctl("readiness").stdout
    assert "not-ready" in shown and "lunch" in shown and "failed: " in shown
    assert json.loads(testenv.ctl("--json", "readiness").stdout)["Readiness"] == "not-ready"

    # The router's own refusal (a destination its list does not hold) is reported too.
    a.stop()
    stranger = Agent(testenv, router, "agent9")
    wait_for(lambda: stranger.get("Routing") == "failed: State Update Failed", 15,
             what=f"the router's refusal (Routing: {stranger.get('Routing')})")
    # Calls to the agent itself (through the registrar, not a queue) still reach it.
    direct_call(testenv, router, stranger)
    stranger.stop()


def test_a_missing_routing_module_is_reported_and_calls_still_come(testenv):
    """The router's HTTP client is a module sportellod loads only when [routing] is set; without
    it (a broken install) Routing says why, nothing is published, and direct calls still come."""
    empty = testenv.root / "no-modules"
    empty.mkdir()
    testenv.env["SPORTELLO_MODULE_DIR"] = str(empty)
    router = QueueRouter(testenv, ["agent1"])
    a = Agent(testenv, router, "agent1")
    routing = a.get("Routing")
    assert routing.startswith("failed: the module sportello-routing cannot be loaded"), routing
    assert "failed: the module sportello-routing" in testenv.ctl("readiness").stdout
    assert not published(router, a, True)
    direct_call(testenv, router, a)
    a.stop()
