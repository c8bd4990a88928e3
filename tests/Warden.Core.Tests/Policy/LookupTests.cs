using Warden.Core.Users;
using Warden.Core.Policy;
using Warden.Core.Toml;

namespace Warden.Core.Tests.Policy;

public sealed class LookupTests
{
    private static readonly PolicyRepository Repo = Repository(
        "baseline",
        (["codex-admins"], "admin"),
        (["regulated-finance", "legal"], "lockdown"),
        (["engineering", "Legal"], "developer"));

    private static PolicyRepository Repository(string fallback, params (string[] Groups, string Policy)[] rules) => new()
    {
        Path = "warden.toml",
        CodexVersion = "0.171.0",
        OrgName = "Example Corp",
        DefaultPolicy = fallback,
        Rules = [.. rules.Select((r, i) => new GroupRule(i, r.Groups, r.Policy, new SourceLocation("warden.toml", 7 + (4 * i), 1)))],
        Policies = new Dictionary<string, PolicyDefinition>(),
        ContentHash = "0",
    };

    private static DirectoryUser User(string name, params string[] groups) => new(name, name, $"{name}@example.com", null, true, groups);

    public sealed class TheExplainMethod
    {
        [Fact]
        public void First_matching_rule_wins_even_when_a_later_rule_also_matches()
        {
            var result = PolicyLookup.Explain(Repo, User("alice", "engineering", "codex-admins"));

            result.Policy.ShouldBe("admin");
            result.MatchedRule.ShouldBeSameAs(Repo.Rules[0]);
            result.MatchedGroup.ShouldBe("codex-admins");
            result.IsFallback.ShouldBeFalse();
            result.Trials.Select(t => (t.Matched, t.Decisive)).ShouldBe([(true, true), (false, false), (true, false)]);
        }

        [Fact]
        public void Falls_back_to_the_default_policy_when_no_rule_matches()
        {
            var result = PolicyLookup.Explain(Repo, User("carol", "marketing"));

            result.Policy.ShouldBe("baseline");
            result.MatchedRule.ShouldBeNull();
            result.MatchedGroup.ShouldBeNull();
            result.IsFallback.ShouldBeTrue();
            result.Trials.Count.ShouldBe(3);
            result.Trials.ShouldAllBe(t => !t.Matched && !t.Decisive && t.MatchedGroup == null);
        }

        [Fact]
        public void A_rule_matches_through_its_second_group()
        {
            var result = PolicyLookup.Explain(Repo, User("bob", "legal"));

            result.Policy.ShouldBe("lockdown");
            result.MatchedRule!.Index.ShouldBe(1);
            result.MatchedGroup.ShouldBe("legal");
            result.Trials[1].MatchedGroup.ShouldBe("legal");
        }

        [Fact]
        public void Rule_order_decides_not_the_order_of_the_users_groups()
        {
            var result = PolicyLookup.Explain(Repo, User("dave", "engineering", "regulated-finance"));

            result.Policy.ShouldBe("lockdown");
            result.Trials[2].Matched.ShouldBeTrue();
            result.Trials[2].Decisive.ShouldBeFalse();
        }

        [Fact]
        public void Group_names_match_ignoring_case_and_report_the_rules_spelling()
        {
            var result = PolicyLookup.Explain(Repo, User("erin", "CODEX-Admins"));

            result.Policy.ShouldBe("admin");
            result.MatchedGroup.ShouldBe("codex-admins");
        }

        [Fact]
        public void A_repository_without_rules_gives_everyone_the_fallback()
        {
            PolicyLookup.Explain(Repository("open"), User("fay", "codex-admins")).Policy.ShouldBe("open");
        }
    }

    public sealed class TheAssignAllMethod
    {
        [Fact]
        public void Gives_each_user_the_first_matching_rule_or_the_fallback_in_directory_order()
        {
            var directory = new UserDirectory("d.csv",
            [
                User("alice", "engineering", "codex-admins"),
                User("bob", "legal"),
                User("carol"),
                User("dave", "engineering", "regulated-finance"),
                User("erin", "engineering"),
            ]);

            var assignments = PolicyLookup.AssignAll(Repo, directory);

            assignments.Select(a => (a.User.UserName, a.Policy, a.RuleIndex, a.MatchedGroup)).ShouldBe(
            [
                ("alice", "admin", 0, "codex-admins"),
                ("bob", "lockdown", 1, "legal"),
                ("carol", "baseline", -1, null),
                ("dave", "lockdown", 1, "regulated-finance"),
                ("erin", "developer", 2, "engineering"),
            ]);
        }

        [Fact]
        public void Agrees_with_Explain_for_every_user()
        {
            var random = new Random(7);
            var groups = new[] { "codex-admins", "legal", "LEGAL", "regulated-finance", "engineering", "sales", "ops" };
            var users = Enumerable.Range(0, 500)
                .Select(i => User($"u{i}", [.. groups.Where(_ => random.Next(4) == 0)]))
                .ToArray();

            var assignments = PolicyLookup.AssignAll(Repo, new UserDirectory("d", users));

            foreach (var a in assignments)
            {
                var explained = PolicyLookup.Explain(Repo, a.User);
                (a.Policy, a.Rule, a.MatchedGroup).ShouldBe((explained.Policy, explained.MatchedRule, explained.MatchedGroup), a.User.UserName);
            }
        }

        [Fact]
        public void Counts_users_per_rule_and_per_policy()
        {
            var directory = new UserDirectory("d", [User("a", "legal"), User("b", "legal"), User("c")]);
            var assignments = PolicyLookup.AssignAll(Repo, directory);

            LookupSummary.CountByRule(assignments, Repo).Select(c => c.Users).ShouldBe([0, 2, 0, 1]);
            LookupSummary.CountByPolicy(assignments, Repo).ShouldBe([("admin", 0), ("lockdown", 2), ("developer", 0), ("baseline", 1)]);
        }

        [Fact]
        public void The_fast_path_agrees_with_the_explanation_for_every_user()
        {
            // Speed is measured in benchmarks/lookup, not here; this proves the fast path decides as Explain does.
            var rules = Enumerable.Range(0, 100).Select(i => (new[] { $"grp-{i:000}", $"grp-{100 + (i % 50):000}" }, $"p{i % 3}")).ToArray();
            var repo = Repository("baseline", rules);
            var names = Enumerable.Range(0, 200).Select(g => $"grp-{g:000}").ToArray();
            var random = new Random(42);
            var users = new DirectoryUser[20_000];
            for (var i = 0; i < users.Length; i++)
                users[i] = User($"user{i}", names[random.Next(200)], names[random.Next(200)], names[random.Next(200)]);

            var assignments = PolicyLookup.AssignAll(repo, new UserDirectory("d", users));

            assignments.Length.ShouldBe(users.Length);
            for (var i = 0; i < users.Length; i++)
            {
                var explained = PolicyLookup.Explain(repo, users[i]);
                (assignments[i].Policy, assignments[i].RuleIndex).ShouldBe((explained.Policy, explained.MatchedRule?.Index ?? -1), users[i].UserName);
            }
        }
    }
}
