//! "Did you mean …?" for names a user mistyped: the closest candidate by edit distance.

/// The candidate closest to `input`, if it is close enough to be a likely typo.
pub fn closest<'a>(input: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (strsim::levenshtein(input, c), c))
        .filter(|(distance, c)| *distance <= (c.len() / 3).max(2))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn a_typo_finds_its_program() {
        let names = ["speed_server", "speed_client"];
        assert_eq!(
            closest("sped_server", names.into_iter()),
            Some("speed_server")
        );
    }

    #[test]
    fn an_unrelated_name_finds_nothing() {
        let names = ["speed_server", "speed_client"];
        assert_eq!(closest("turtlesim", names.into_iter()), None);
    }
}
