//! The ROS 2 distributions the workbook knows, and what differs between them: the one place
//! that decides by distribution, so a Humble code path is a value the tests can check rather than
//! a string compared here and there.
//!
//! A distribution is named by `ROS_DISTRO` (`humble`, `jazzy`, …) and can also be read off an
//! installation: the major version of its `rcl` package is one per distribution. Comparing the
//! two is how a mixed shell (one distribution's name, another's libraries) is caught before rclrs
//! is compiled with the wrong distribution's cfgs. This module only describes; it never reads
//! the process environment.

use std::path::Path;

/// A ROS 2 distribution the workbook can meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Distro {
    /// 22.04's LTS: no service introspection, `ROS_LOCALHOST_ONLY`.
    Humble,
    /// Humble's successor, end of life: like Jazzy for services, `ROS_LOCALHOST_ONLY` still.
    Iron,
    /// 24.04's LTS, the one the workbook provisions by default.
    Jazzy,
    /// May 2025's release, on PyPI like Jazzy.
    Kilted,
    /// The rolling development distribution.
    Rolling,
}

/// How a child learns that discovery stays on this machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalDiscovery {
    /// `ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST` (Jazzy and later; the old variable only warns).
    DiscoveryRange,
    /// `ROS_LOCALHOST_ONLY=1` (Humble and Iron, which do not know the range).
    LocalhostOnly,
}

impl Distro {
    /// Every distribution, oldest first.
    pub const ALL: [Distro; 5] = [
        Distro::Humble,
        Distro::Iron,
        Distro::Jazzy,
        Distro::Kilted,
        Distro::Rolling,
    ];

    /// The distribution `ROS_DISTRO` names (any case, surrounding spaces ignored).
    pub fn from_name(name: &str) -> Option<Distro> {
        let name = name.trim().to_ascii_lowercase();
        Distro::ALL.into_iter().find(|d| d.name() == name)
    }

    /// The name as `ROS_DISTRO` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Distro::Humble => "humble",
            Distro::Iron => "iron",
            Distro::Jazzy => "jazzy",
            Distro::Kilted => "kilted",
            Distro::Rolling => "rolling",
        }
    }

    /// The distribution whose `rcl` has this version (`9.2.8` is Jazzy's). Rolling moves on, so
    /// a major version of no release is not claimed for any.
    pub fn from_rcl_version(version: &str) -> Option<Distro> {
        let major: u32 = version.trim().split('.').next()?.parse().ok()?;
        match major {
            5 => Some(Distro::Humble),
            6 => Some(Distro::Iron),
            9 => Some(Distro::Jazzy),
            10 => Some(Distro::Kilted),
            _ => None,
        }
    }

    /// The distribution of the installation at `prefix`, from its `share/rcl/package.xml`.
    pub fn of_installation(prefix: &Path) -> Option<Distro> {
        let manifest = std::fs::read_to_string(prefix.join("share/rcl/package.xml")).ok()?;
        let version = manifest
            .split("<version>")
            .nth(1)?
            .split("</version>")
            .next()?;
        Distro::from_rcl_version(version)
    }

    /// Whether services can publish what they receive and answer (`configure_introspection`,
    /// read by `ros2 service echo`): Iron and later.
    pub fn has_service_introspection(self) -> bool {
        self != Distro::Humble
    }

    /// Whether ros2cli has `ros2 service info` and `ros2 service echo`: Humble's has neither
    /// (Iron, past its end of life, was not checked and is taken to have them).
    pub fn has_service_info_and_echo(self) -> bool {
        self != Distro::Humble
    }

    /// Where the course, written and checked on Jazzy, differs on this distribution: the
    /// chapters and verbs, one sentence each (none on Jazzy and later).
    pub fn course_differences(self) -> &'static [&'static str] {
        match self {
            Distro::Humble => &[
                "chapter \"CLI introspection\": no `ros2 service info` (use `ros2 service type` and `ros2 node info`), no `ros2 service echo`",
                "no service introspection in rclrs (`configure_introspection` is Iron and later)",
                "chapter \"Testing services\" and the checks: discovery stays local through ROS_LOCALHOST_ONLY=1",
            ],
            Distro::Iron => &[
                "chapter \"Testing services\" and the checks: discovery stays local through ROS_LOCALHOST_ONLY=1",
            ],
            _ => &[],
        }
    }

    /// Whether the distribution's middleware is Fast DDS 3 (Kilted and later), which reads its
    /// XML profile from `FASTDDS_DEFAULT_PROFILES_FILE` and warns at every node's start when the
    /// older `FASTRTPS_DEFAULT_PROFILES_FILE` is set too; Fast DDS 2 (Jazzy and earlier) reads
    /// the older one.
    pub fn has_fast_dds_3(self) -> bool {
        matches!(self, Distro::Kilted | Distro::Rolling)
    }

    /// The variable that keeps discovery on this machine.
    pub fn local_discovery(self) -> LocalDiscovery {
        match self {
            Distro::Humble | Distro::Iron => LocalDiscovery::LocalhostOnly,
            _ => LocalDiscovery::DiscoveryRange,
        }
    }
}

impl std::fmt::Display for Distro {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(name: &str, expected: Option<Distro>) {
        assert_eq!(Distro::from_name(name), expected, "ROS_DISTRO={name:?}");
    }

    #[test]
    fn every_spelling_of_ros_distro_names_its_distribution() {
        check("humble", Some(Distro::Humble));
        check("Humble", Some(Distro::Humble));
        check(" jazzy\n", Some(Distro::Jazzy));
        check("KILTED", Some(Distro::Kilted));
        check("foxy", None);
        check("", None);
    }

    #[test]
    fn fast_dds_3_comes_with_kilted() {
        let fast_dds_3: Vec<Distro> = Distro::ALL
            .into_iter()
            .filter(|d| d.has_fast_dds_3())
            .collect();
        assert_eq!(fast_dds_3, [Distro::Kilted, Distro::Rolling]);
    }

    #[test]
    fn humble_differs_from_jazzy_where_the_course_says() {
        let (humble, jazzy) = (Distro::Humble, Distro::Jazzy);
        assert!(!humble.has_service_introspection() && jazzy.has_service_introspection());
        assert!(!humble.has_service_info_and_echo() && jazzy.has_service_info_and_echo());
        assert_eq!(humble.local_discovery(), LocalDiscovery::LocalhostOnly);
        assert_eq!(jazzy.local_discovery(), LocalDiscovery::DiscoveryRange);
        assert_eq!(
            Distro::Kilted.local_discovery(),
            LocalDiscovery::DiscoveryRange
        );
    }

    #[test]
    fn rcl_versions_tell_the_distributions_apart() {
        assert_eq!(Distro::from_rcl_version("5.3.9"), Some(Distro::Humble));
        assert_eq!(Distro::from_rcl_version("9.2.8"), Some(Distro::Jazzy));
        assert_eq!(Distro::from_rcl_version("10.1.3"), Some(Distro::Kilted));
        assert_eq!(Distro::from_rcl_version("11.0.0"), None);
        assert_eq!(Distro::from_rcl_version("not a version"), None);
    }
}
