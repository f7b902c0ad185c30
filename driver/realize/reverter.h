#pragma once
// A transactional undo stack for bring-up sequences.
//
// Each completed step registers the action that undoes it. If the Reverter
// is destroyed (or Revert() is called) before Commit(), every registered undo
// runs once, newest first, and each one runs even if an earlier one failed.
// Commit() drops the undos: the steps become permanent.
//
//   Reverter revert;
//   RETURN_IF_ERROR(netlink.CreateBridge(spec));
//   revert.Add([&] { return netlink.DeleteLink(spec.name); });
//   ...
//   revert.Commit();
//
// Undo actions must not throw; they report failure through their Status.
// REQUIRES: anything an undo captures by reference outlives the Reverter.

#include <functional>
#include <utility>
#include <vector>

#include "common/status.h"

namespace virtnat::driver {

class Reverter {
 public:
  using Undo = std::function<Status()>;

  Reverter() = default;
  Reverter(const Reverter&) = delete;
  Reverter& operator=(const Reverter&) = delete;
  Reverter(Reverter&& other) noexcept : undos_(std::exchange(other.undos_, {})) {}
  Reverter& operator=(Reverter&&) = delete;

  // Destruction without Commit() reverts; errors are dropped here, so call
  // Revert() explicitly where the caller wants to see them.
  ~Reverter() { (void)Revert(); }

  void Add(Undo undo) { undos_.push_back(std::move(undo)); }

  // Makes every step so far permanent.
  void Commit() { undos_.clear(); }

  // Runs the pending undos newest first and forgets them. Returns every
  // failure, oldest failure first in the order they happened.
  std::vector<Error> Revert() {
    std::vector<Error> errors;
    std::vector<Undo> undos = std::exchange(undos_, {});
    for (auto it = undos.rbegin(); it != undos.rend(); ++it) {
      Status status = (*it)();
      if (!status.ok()) errors.push_back(status.error());
    }
    return errors;
  }

  bool empty() const { return undos_.empty(); }
  size_t size() const { return undos_.size(); }

 private:
  std::vector<Undo> undos_;
};

}  // namespace virtnat::driver
