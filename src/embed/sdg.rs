//! Topics by meaning: the UN Sustainable Development Goals a paragraph is
//! about, from its vector's similarity to a short description of each goal.
//! The descriptions are written in the words meeting records use.

use super::{Embedder, Vector, dot};
use crate::error::Result;

/// (number, name, description).
pub(crate) const GOALS: [(u8, &str, &str); 17] = [
    (
        1,
        "No poverty",
        "ending poverty, social protection and safety nets for the poor and vulnerable people",
    ),
    (
        2,
        "Zero hunger",
        "ending hunger, food security, nutrition, agriculture and farmers",
    ),
    (
        3,
        "Good health and well-being",
        "health care, disease, epidemics, medicines, vaccines and well-being",
    ),
    (
        4,
        "Quality education",
        "education, schools, teachers, literacy, training and universities",
    ),
    (
        5,
        "Gender equality",
        "gender equality, women and girls, discrimination and violence against women",
    ),
    (
        6,
        "Clean water and sanitation",
        "drinking water, sanitation, water resources and water management",
    ),
    (
        7,
        "Affordable and clean energy",
        "energy, electricity, renewable energy, power grids and energy efficiency",
    ),
    (
        8,
        "Decent work and economic growth",
        "economic growth, employment, jobs, decent work and labour rights",
    ),
    (
        9,
        "Industry, innovation and infrastructure",
        "industry, infrastructure, technology, innovation and research",
    ),
    (
        10,
        "Reduced inequalities",
        "inequality within and among countries, migrants, minorities and inclusion",
    ),
    (
        11,
        "Sustainable cities and communities",
        "cities, urban development, housing, transport and disaster risk",
    ),
    (
        12,
        "Responsible consumption and production",
        "sustainable consumption and production, waste, recycling and chemicals",
    ),
    (
        13,
        "Climate action",
        "climate change, greenhouse gas emissions, carbon, global warming and adaptation",
    ),
    (
        14,
        "Life below water",
        "oceans, seas, marine ecosystems, fisheries and coastal areas",
    ),
    (
        15,
        "Life on land",
        "forests, desertification, land degradation, biodiversity, wildlife and endangered species",
    ),
    (
        16,
        "Peace, justice and strong institutions",
        "peace, justice, human rights, rule of law, courts, corruption and institutions",
    ),
    (
        17,
        "Partnerships for the goals",
        "international cooperation, partnerships, development assistance, financing and capacity building",
    ),
];

/// Cosine above which a paragraph is about a goal.
pub(crate) const THRESHOLD: f32 = 0.30;
/// Goals kept per paragraph, the closest first.
const MOST: usize = 3;

/// The goals' descriptions, embedded once per ingest.
pub(crate) struct Goals {
    vectors: Vec<Vector>,
}

impl Goals {
    /// Embeds every goal's name and description.
    pub fn load(embedder: &Embedder) -> Result<Goals> {
        let vectors = GOALS
            .iter()
            .map(|(_, name, description)| embedder.query(&format!("{name}: {description}")))
            .collect::<Result<Vec<_>>>()?;
        Ok(Goals { vectors })
    }

    /// The facet values ("13 Climate action") of the goals a vector is about.
    pub fn of(&self, vector: &[f32]) -> Vec<String> {
        let mut scored: Vec<(f32, usize)> = self
            .vectors
            .iter()
            .enumerate()
            .map(|(i, g)| (dot(g, vector), i))
            .filter(|(s, _)| *s >= THRESHOLD)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        scored
            .into_iter()
            .take(MOST)
            .map(|(_, i)| label(GOALS[i].0))
            .collect()
    }
}

/// "13 Climate action".
pub(crate) fn label(goal: u8) -> String {
    GOALS
        .iter()
        .find(|g| g.0 == goal)
        .map_or_else(|| goal.to_string(), |g| format!("{} {}", g.0, g.1))
}

/// Every goal, "1 No poverty, 2 Zero hunger, ...": what an SDG filter accepts.
pub(crate) fn list() -> String {
    GOALS
        .iter()
        .map(|g| label(g.0))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A user's SDG filter ("13", "sdg13", "climate action") to its facet value.
pub(crate) fn resolve(input: &str) -> Option<String> {
    let s = input.trim().to_lowercase();
    let s = s.trim_start_matches("sdg").trim();
    // Every goal's name contains the empty string: an empty filter names none.
    if s.is_empty() {
        return None;
    }
    if let Ok(n) = s.split_whitespace().next().unwrap_or("").parse::<u8>() {
        return GOALS.iter().any(|g| g.0 == n).then(|| label(n));
    }
    GOALS
        .iter()
        .find(|g| g.1.to_lowercase().contains(s))
        .map(|g| label(g.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_resolve_by_number_or_name() {
        assert_eq!(resolve("13").as_deref(), Some("13 Climate action"));
        assert_eq!(resolve("SDG 14").as_deref(), Some("14 Life below water"));
        assert_eq!(resolve("life on land").as_deref(), Some("15 Life on land"));
        assert_eq!(resolve("99"), None);
        assert_eq!(resolve(""), None);
        assert_eq!(resolve(" sdg "), None);
    }
}
