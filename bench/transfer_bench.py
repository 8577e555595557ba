#!/usr/bin/python3
"""Transfer benchmark on loopback: how long a transfer takes until the customer and the target
talk, next to a plain call set-up between the same two phones in the same run. Prints figures;
asserts nothing.

  /usr/bin/python3 bench/transfer_bench.py [--transfers 20] [--keep]

Parties: sportellod (the agent), baresip "customer" (takes the REFER and calls the target, as a
customer's softphone does) and baresip "target" (answers by itself). Timestamps as in
call_bench.py: events stamped on arrival in this process, no clock inside the peers.

  call set-up      t0 = the customer's 'dial' command to the target; first RTP at the target
                   (its CALL_RTPESTAB): one call set-up, the reference.
  blind transfer   t0 = Session1.Transfer(target) sent; first RTP at the target from the customer
                   (CALL_RTPESTAB of the new call); also when Transfer replied.
  consultation     the agent consults the target first (ConsultTransfer), then
                   t0 = CompleteTransfer sent; the customer hears the target: first RTP at the
                   customer in its new call (CALL_RTPESTAB); also when CompleteTransfer replied.
A transfer costs one call set-up plus a REFER round trip (REFER, 202, NOTIFYs) when the two
figures differ by about a loopback round trip.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from call_bench import (SESSION, Baresip, EventLog, Sportellod, invite_arrived, is_event,  # noqa: E402
                        ms, state_is, summary)

from gi.repository import GLib  # noqa: E402

LONG_MS = 90000  # Transfer and CompleteTransfer reply when the target answered


def close_call(log, mark, customer, target):
    customer.command("hangup")
    log.wait(is_event(customer.name, "CALL_CLOSED"), mark, what="customer CALL_CLOSED")
    log.wait(is_event(target.name, "CALL_CLOSED"), mark, what="target CALL_CLOSED")


def plain_call(log, customer, target):
    mark = log.mark()
    t0, token = customer.send("dial", target.uri)
    rtp = log.wait(is_event(target.name, "CALL_RTPESTAB"), mark, what="target CALL_RTPESTAB")
    customer.reply(token)
    close_call(log, log.mark(), customer, target)
    return {"rtp": ms(t0, rtp[0])}


def agent_calls(sd, log, customer):
    mark = log.mark()
    path = sd.dial(customer.uri)
    log.wait(state_is(sd.name, path, "talking"), mark, what="talking")
    log.wait(is_event(customer.name, "CALL_RTPESTAB"), mark, what="customer CALL_RTPESTAB")
    return path


def done(sd, log, path, mark):
    log.wait(state_is(sd.name, path, "disconnected"), mark, what="agent's legs ended")
    sd.call(path, SESSION, "MarkDone")


def blind_transfer(sd, log, customer, target):
    path = agent_calls(sd, log, customer)
    mark = log.mark()
    t0 = time.monotonic()
    sd.call(path, SESSION, "Transfer", GLib.Variant("(ss)", (target.uri, "bench")), timeout_ms=LONG_MS)
    t_reply = time.monotonic()
    rtp = log.wait(is_event(target.name, "CALL_RTPESTAB"), mark, what="target CALL_RTPESTAB")
    done(sd, log, path, mark)
    close_call(log, mark, customer, target)
    return {"rtp": ms(t0, rtp[0]), "reply": ms(t0, t_reply)}


def consultation(sd, log, customer, target):
    path = agent_calls(sd, log, customer)
    mark = log.mark()
    sd.call(path, SESSION, "ConsultTransfer", GLib.Variant("(ss)", (target.uri, "bench")),
            timeout_ms=LONG_MS)
    log.wait(is_event(target.name, "CALL_RTPESTAB"), mark, what="target CALL_RTPESTAB (consultation)")
    mark = log.mark()
    t0 = time.monotonic()
    sd.call(path, SESSION, "CompleteTransfer", None, timeout_ms=LONG_MS)
    t_reply = time.monotonic()
    invite = log.wait(invite_arrived(target.name), mark, what="the customer's INVITE at the target")
    rtp = log.wait(lambda e: e[1] == customer.name and e[2] == "CALL_RTPESTAB" and e[0] > invite[0], mark,
                   what="customer CALL_RTPESTAB (new call)")
    done(sd, log, path, mark)
    time.sleep(0.05)
    close_call(log, mark, customer, target)
    return {"rtp": ms(t0, rtp[0]), "reply": ms(t0, t_reply)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--transfers", type=int, default=int(os.environ.get("BENCH_TRANSFERS", 20)))
    parser.add_argument("--keep", action="store_true", help="keep the temporary dir (logs)")
    args = parser.parse_args()

    print("machine: %s" % benchlib.machine())
    print("sportellod: %s" % benchlib.find_sportellod())
    print("load average at start: %s" % benchlib.loadavg())
    log = EventLog()
    with benchlib.PrivateSession(keep=args.keep) as session:
        session.start_bus()
        sd = Sportellod(session, log, "agent")
        customer = Baresip(session, log, "customer")
        target = Baresip(session, log, "target")
        plain, blind, consult = [], [], []
        # In turn, so that whatever else the machine does weighs on all three alike.
        for _ in range(args.transfers):
            plain.append(plain_call(log, customer, target))
            blind.append(blind_transfer(sd, log, customer, target))
            consult.append(consultation(sd, log, customer, target))
        col = lambda rows, key: [r[key] for r in rows]  # noqa: E731
        print("\n== %d of each, in turn (ms; the first shown apart) ==" % args.transfers)
        print("call set-up: customer dials the target -> first RTP at the target")
        print("  %s" % summary(col(plain, "rtp")))
        print("blind transfer: Transfer sent -> first RTP from the customer at the target")
        print("  %s" % summary(col(blind, "rtp")))
        print("  (Transfer replied after %s)" % summary(col(blind, "reply")))
        print("consultation: CompleteTransfer sent -> the customer hears the target (first RTP in its new call)")
        print("  %s" % summary(col(consult, "rtp")))
        print("  (CompleteTransfer replied after %s)" % summary(col(consult, "reply")))
        plain_median = benchlib.percentile(sorted(col(plain, "rtp")), 50)
        for name, rows in (("blind transfer", blind), ("consultation", consult)):
            median = benchlib.percentile(sorted(col(rows, "rtp")), 50)
            print("%s - call set-up, medians: %+.2f ms (the REFER round trip and the agent's part)"
                  % (name, median - plain_median))
        customer.close()
        target.close()
        rc = sd.close()
        print("sportellod exit status: %s" % rc)
        print("load average at end: %s (2 cores: above 2, the machine was busy)" % benchlib.loadavg())


if __name__ == "__main__":
    main()
