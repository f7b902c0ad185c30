#pragma once
// Deleting a link without waiting for the kernel's deferred work.
//
// An RTM_DELLINK is acknowledged only after the kernel has finished freeing
// the device: after it unlists the link (its name is free, its addresses and
// routes are gone, and RTM_DELLINK goes to the link group), rtnl_unlock runs
// the unregister "todo" list, whose rcu_barrier() and reference wait take
// 40-60 ms on a small machine; the sender blocks in sendmsg() meanwhile.
//
// DeleteLinkUnlisted sends the request from a worker thread on a socket of
// its own and returns as soon as the link is gone from the namespace: its
// name no longer names it (the kernel unlists it after closing it, which
// flushes its routes; its addresses go with it out of every dump), or the
// worker's answer comes first. The rest of the kernel's work then finishes on
// the worker, off the caller's path; nothing of the link is visible
// meanwhile, a request needing the RTNL lock (a new link of the same name)
// waits for it, and a process killed then still has the kernel finish it.

#include <string>

namespace virtnat::driver {

// Deletes the link with index `ifindex` (named `ifname`, for a check when
// notifications were lost) in the network namespace of the calling thread.
// Returns 0 once it is unlisted, else the positive errno of the failure (the
// kernel's answer, or the socket's): then the link was not deleted.
int DeleteLinkUnlisted(int ifindex, const std::string& ifname);

}  // namespace virtnat::driver
