#include "driver/realize/reverter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace virtnat::driver {
namespace {

TEST(ReverterTest, RunsUndosNewestFirstOnDestruction) {
  std::vector<int> order;
  {
    Reverter revert;
    for (int i = 0; i < 3; ++i) {
      revert.Add([&order, i] {
        order.push_back(i);
        return Status::Ok();
      });
    }
  }
  EXPECT_EQ(order, (std::vector<int>{2, 1, 0}));
}

TEST(ReverterTest, CommitKeepsTheSteps) {
  int runs = 0;
  {
    Reverter revert;
    revert.Add([&runs] {
      ++runs;
      return Status::Ok();
    });
    revert.Commit();
    EXPECT_TRUE(revert.empty());
  }
  EXPECT_EQ(runs, 0);
}

TEST(ReverterTest, CollectsEveryErrorAndKeepsGoing) {
  std::vector<std::string> ran;
  Reverter revert;
  revert.Add([&ran] {
    ran.push_back("first");
    return Status(InternalError("undo first failed"));
  });
  revert.Add([&ran] {
    ran.push_back("second");
    return Status::Ok();
  });
  revert.Add([&ran] {
    ran.push_back("third");
    return Status(SystemErrorFromErrno(ENODEV, "cannot delete bridge 'virbr9'"));
  });
  std::vector<Error> errors = revert.Revert();
  EXPECT_EQ(ran, (std::vector<std::string>{"third", "second", "first"}));
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].message, "cannot delete bridge 'virbr9': No such device");
  EXPECT_EQ(errors[0].code, VIR_ERR_SYSTEM_ERROR);
  EXPECT_EQ(errors[1].message, "internal error: undo first failed");
  // Reverted steps are forgotten: destruction does not run them again.
  EXPECT_TRUE(revert.empty());
}

TEST(ReverterTest, MoveTransfersTheUndos) {
  int runs = 0;
  {
    Reverter outer;
    outer.Add([&runs] {
      ++runs;
      return Status::Ok();
    });
    {
      Reverter moved(std::move(outer));
      EXPECT_EQ(moved.size(), 1u);
    }
    EXPECT_EQ(runs, 1);
  }
  EXPECT_EQ(runs, 1);  // the moved-from one had nothing left to run
}

}  // namespace
}  // namespace virtnat::driver
