#include "driver/dnsmasq/lease_publisher.h"

#include <glib-unix.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "driver/dnsmasq/dnsmasq_leases.h"
#include "driver/dnsmasq/lease_status.h"
#include "driver/os/atomic_file.h"

namespace virtnat::driver {
namespace {

// dnsmasq writes its database in several write() calls: publish once the
// burst is over.
constexpr guint kCoalesceMs = 100;
constexpr size_t kMaxLeaseFile = 32 * 1024 * 1024;

class PublishingService final : public DnsmasqService {
 public:
  PublishingService(std::unique_ptr<DnsmasqService> inner, LeasePublisher* publisher,
                    std::string lease_file, std::string bridge)
      : inner_(std::move(inner)),
        publisher_(publisher),
        lease_file_(std::move(lease_file)),
        bridge_(std::move(bridge)) {}

  Status Start() override { return Watched(inner_->Start()); }
  void BeginStart(StartDone done) override {
    inner_->BeginStart([this, done = std::move(done)](Status status) {
      done(Watched(std::move(status)));  // may destroy this service
    });
  }
  Status Reload() override { return inner_->Reload(); }
  void BeginStop() override { inner_->BeginStop(); }
  Status Stop() override {
    publisher_->Forget(lease_file_, this);
    return inner_->Stop();
  }
  Status Adopt() override { return Watched(inner_->Adopt()); }
  std::optional<pid_t> pid() const override { return inner_->pid(); }

 private:
  Status Watched(Status status) {
    if (status.ok() && !lease_file_.empty() && !bridge_.empty()) {
      publisher_->Watch(lease_file_, bridge_, this);
    }
    return status;
  }

  std::unique_ptr<DnsmasqService> inner_;
  LeasePublisher* publisher_;
  std::string lease_file_;
  std::string bridge_;
};

}  // namespace

LeasePublisher::LeasePublisher(std::string dir, GMainContext* context)
    : dir_(std::move(dir)), context_(context) {
  inotify_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify_ < 0) {
    g_warning(
        "cannot watch the DHCP lease files (%s): guest names published for "
        "libnss-libvirt in %s are updated only when a network starts",
        std::strerror(errno), dir_.c_str());
    return;
  }
  inotify_source_ = g_unix_fd_source_new(inotify_, G_IO_IN);
  g_source_set_callback(inotify_source_, G_SOURCE_FUNC(&LeasePublisher::OnInotify), this, nullptr);
  g_source_attach(inotify_source_, context_);
}

LeasePublisher::~LeasePublisher() {
  for (GSource* source : {inotify_source_, flush_source_}) {
    if (source == nullptr) continue;
    g_source_destroy(source);
    g_source_unref(source);
  }
  if (inotify_ >= 0) close(inotify_);
}

void LeasePublisher::AddDirectoryWatch(const std::string& dir) {
  if (inotify_ < 0) return;
  for (const auto& [wd, watched] : directories_) {
    if (watched == dir) return;
  }
  int wd = inotify_add_watch(inotify_, dir.c_str(),
                             IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE);
  if (wd < 0) {
    g_warning(
        "cannot watch the DHCP lease files in %s (%s): guest names published for "
        "libnss-libvirt are updated only when a network starts",
        dir.c_str(), std::strerror(errno));
    return;
  }
  directories_[wd] = dir;
}

void LeasePublisher::Watch(const std::string& lease_file, const std::string& bridge,
                           const void* owner) {
  AddDirectoryWatch(DirName(lease_file));
  Entry& entry = files_[lease_file];
  entry.bridge = bridge;
  entry.owner = owner;
  entry.dirty = false;
  Publish(lease_file, entry);
}

void LeasePublisher::Forget(const std::string& lease_file, const void* owner) {
  auto it = files_.find(lease_file);
  if (it == files_.end() || it->second.owner != owner) return;
  // Published again from the lease database at every start and adoption:
  // no need to outlive a power loss.
  Status removed = RemoveFile(StatusPath(it->second.bridge), Durability::kProcessCrash);
  if (!removed.ok()) g_warning("%s", removed.message().c_str());
  files_.erase(it);
}

void LeasePublisher::RemoveStale(const std::string& bridge) {
  if (bridge.empty()) return;
  for (const auto& [file, entry] : files_) {
    if (entry.bridge == bridge) return;
  }
  Status removed = RemoveFileDurable(StatusPath(bridge));
  if (!removed.ok()) g_warning("%s", removed.message().c_str());
}

gboolean LeasePublisher::OnInotify(gint fd, GIOCondition, gpointer data) noexcept {
  auto* self = static_cast<LeasePublisher*>(data);
  alignas(inotify_event) char buffer[4096];
  bool changed = false;
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n <= 0) break;
    for (char* p = buffer; p < buffer + n;) {
      auto* event = reinterpret_cast<inotify_event*>(p);
      p += sizeof(inotify_event) + event->len;
      auto dir = self->directories_.find(event->wd);
      if (dir == self->directories_.end() || event->len == 0) continue;
      auto file = self->files_.find(dir->second + "/" + event->name);
      if (file == self->files_.end()) continue;
      file->second.dirty = true;
      changed = true;
    }
  }
  if (changed) self->Schedule();
  return G_SOURCE_CONTINUE;
}

void LeasePublisher::Schedule() {
  if (flush_source_ != nullptr) return;
  flush_source_ = g_timeout_source_new(kCoalesceMs);
  g_source_set_callback(flush_source_, &LeasePublisher::OnFlush, this, nullptr);
  g_source_attach(flush_source_, context_);
}

gboolean LeasePublisher::OnFlush(gpointer data) noexcept {
  auto* self = static_cast<LeasePublisher*>(data);
  g_source_unref(self->flush_source_);
  self->flush_source_ = nullptr;
  for (auto& [file, entry] : self->files_) {
    if (!entry.dirty) continue;
    entry.dirty = false;
    self->Publish(file, entry);
  }
  return G_SOURCE_REMOVE;
}

void LeasePublisher::Publish(const std::string& lease_file, const Entry& entry) {
  std::vector<DnsmasqLease> leases;
  Result<std::string> text = ReadFileLimited(lease_file, kMaxLeaseFile);
  if (text.ok()) {
    leases = ParseDnsmasqLeases(*text);
  } else if (access(lease_file.c_str(), F_OK) == 0) {
    g_warning("%s", text.status().message().c_str());
    return;
  }  // no database yet: no leases
  Status written = EnsureDirectory(dir_, 0755);
  if (written.ok()) {
    written = WriteFileAtomic(StatusPath(entry.bridge), RenderLeaseStatus(leases), 0644,
                              FileMode::kExact, Durability::kProcessCrash);
  }
  if (!written.ok() && written.message() != last_error_) {
    g_warning("cannot publish the DHCP leases of bridge %s for libnss-libvirt: %s",
              entry.bridge.c_str(), written.message().c_str());
  }
  last_error_ = written.ok() ? "" : written.message();
}

DnsmasqFactory PublishingLeases(DnsmasqFactory inner, LeasePublisher* publisher) {
  return [inner = std::move(inner),
          publisher](DnsmasqCommand command) -> std::unique_ptr<DnsmasqService> {
    std::string lease_file = command.lease_file;
    std::string bridge = command.bridge;
    return std::make_unique<PublishingService>(inner(std::move(command)), publisher,
                                               std::move(lease_file), std::move(bridge));
  };
}

}  // namespace virtnat::driver
